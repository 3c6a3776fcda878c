namespace Rnn.Fast.Interop;

/// <summary>The rules for the module prefixes of state_dict keys (<c>rnn.</c>, <c>module.fc.</c>, or empty).</summary>
internal static class ModulePrefix
{
    /// <summary>
    /// Throws unless <paramref name="prefix"/> is empty or ends with '.', the form PyTorch gives a submodule's keys
    /// (<c>rnn.</c>, <c>encoder.rnn.</c>); null passes (it means "find it").
    /// </summary>
    public static string? Check(string? prefix, string parameterName)
    {
        if (prefix is null || prefix.Length == 0 || prefix[^1] == '.') return prefix;
        throw new ArgumentException(
            $"A module prefix is empty or ends with '.', as PyTorch names a submodule's keys (for example 'rnn.' or 'module.fc.'); '{prefix}' does not. Did you mean '{prefix}.'?",
            parameterName);
    }

    /// <summary>
    /// Whether two prefixes can name an nn.RNN and an nn.Linear of one state_dict: both are leaf modules, so neither
    /// non-empty prefix may start with the other (an empty prefix means a module saved on its own).
    /// </summary>
    public static bool AreDisjoint(string rnnPrefix, string headPrefix) =>
        rnnPrefix.Length == 0 || headPrefix.Length == 0 ||
        (!rnnPrefix.StartsWith(headPrefix, StringComparison.Ordinal) && !headPrefix.StartsWith(rnnPrefix, StringComparison.Ordinal));

    /// <summary>The prefix as messages show it: quoted, or "no prefix".</summary>
    public static string Show(string prefix) => prefix.Length == 0 ? "no prefix" : $"'{prefix}'";
}
