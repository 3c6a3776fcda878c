using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Rnn.Fast.Torch;

namespace Rnn.Fast.Benchmarks.Peers;

/// <summary>
/// Applies <see cref="LibTorchSharpLoading.EnsureLoadable"/> when this assembly loads, before TorchSharp loads its
/// natives: in the host process and in every BenchmarkDotNet child process, each of which runs from its own build
/// output with its own copy of libLibTorchSharp.so.
/// </summary>
internal static class TorchLoadingModuleInitializer
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "A benchmark executable: the edit must precede the first use of TorchSharp in every process.")]
    internal static void Initialize() => LibTorchSharpLoading.EnsureLoadable();
}
