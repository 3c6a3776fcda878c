// The `rnn` command: all behaviour lives in CommandLine so tests can run it with their own writers.
return Rnn.Fast.Cli.CommandLine.Run(args, Rnn.Fast.Cli.CliConsole.FromProcess());
