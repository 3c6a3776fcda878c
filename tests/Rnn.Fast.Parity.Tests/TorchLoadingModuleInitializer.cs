using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Rnn.Fast.Torch;

namespace Rnn.Fast.Parity.Tests;

/// <summary>
/// Applies <see cref="LibTorchSharpLoading.EnsureLoadable"/> when this assembly loads: before any test, and so
/// before TorchSharp loads its natives (it does so once, at the first use of a torch type).
/// </summary>
internal static class TorchLoadingModuleInitializer
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "A test assembly: the edit must precede every test, whichever runs first.")]
    internal static void Initialize() => LibTorchSharpLoading.EnsureLoadable();
}
