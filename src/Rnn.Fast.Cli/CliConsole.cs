namespace Rnn.Fast.Cli;

/// <summary>Where a command writes, and whether its standard output is a terminal that can show live progress.</summary>
/// <param name="Output">Results (reports, tables, CSV written to standard output).</param>
/// <param name="Error">One-line errors and warnings.</param>
/// <param name="OutputIsTerminal">True when <paramref name="Output"/> is an interactive terminal: <c>rnn train</c> then
/// draws a live progress bar; otherwise (a pipe, a file, CI, a test) it prints plain lines.</param>
public sealed record CliConsole(TextWriter Output, TextWriter Error, bool OutputIsTerminal)
{
    /// <summary>The process's standard output and error. Live progress needs a terminal on standard output, and no
    /// <c>CI</c> variable and no <c>TERM=dumb</c>: logs of CI systems keep every redraw of a progress bar.</summary>
    public static CliConsole FromProcess()
    {
        bool ci = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
        bool dumb = Environment.GetEnvironmentVariable("TERM") == "dumb";
        return new CliConsole(Console.Out, Console.Error, !Console.IsOutputRedirected && !ci && !dumb);
    }
}
