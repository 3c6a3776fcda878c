using System.Runtime.InteropServices;
using Rnn.Fast.Kernels;

namespace Rnn.Fast.Tests.Kernels;

/// <summary>
/// The kernels' entry points refuse sizes whose loop counters or roundings would overflow int — one check at the
/// boundary, before any memory is touched — and size their buffers in 64-bit arithmetic. Reaching those sizes needs
/// spans of more than 8 GB: the tests view address space that is reserved but inaccessible (mmap with PROT_NONE and
/// MAP_NORESERVE, so nothing is allocated and any access would crash the test process), and test the sizing and loop
/// constants through the kernels' internal members.
/// </summary>
public sealed unsafe class KernelSizeLimitTests
{
    // N = 2,147,483,585 is the first width for which the old int rounding N + 63 wrapped negative.
    private const int FirstWrappingWidth = 2_147_483_585;

    [Fact]
    public void EveryLoopStepFitsUnderTheLimit()
    {
        // The largest counter a loop reaches is (the last start, below the size) + (its step): at most
        // MaxDimension − 1 + MaxLoopStep = int.MaxValue. Every step the drivers take must be at most MaxLoopStep.
        Assert.Equal(int.MaxValue, KernelArguments.MaxDimension - 1 + KernelArguments.MaxLoopStep);
        Assert.Equal(2_147_482_624, KernelArguments.MaxDimension);
        int[] steps =
        [
            GemmMicrokernelAvx512.DepthBlock, GemmMicrokernelAvx2.DepthBlock, GemmMicrokernelPortable.DepthBlock, GemmDriver.RowBlock,
            GemmDriver.TileRows, PackedMatrix.PanelWidth, GemmPacking.TransposeDepthBlock, BiasKernels.RowBlock,
        ];
        Assert.All(steps, step => Assert.InRange(step, 1, KernelArguments.MaxLoopStep));
        // The rounding N + 63 of the panel count, at the limit, stays inside int.
        Assert.True((long)KernelArguments.MaxDimension + PackedMatrix.PanelWidth - 1 <= int.MaxValue);
    }

    [Fact]
    public void ThePackScratchIsSizedIn64BitArithmetic()
    {
        // ⌈N / 64⌉ panels of rows·64 floats, plus 16 of alignment slack: positive and exact where an int rounding wrapped.
        Assert.Equal(33_554_432L * 64 + 16, MatrixMultiply.PackScratchLength(1, FirstWrappingWidth));
        Assert.Equal(33_554_416L * 64 * 1024 + 16, MatrixMultiply.PackScratchLength(1024, KernelArguments.MaxDimension)); // 2,147,482,624 = 64·33,554,416
        Assert.Equal(PackedMatrix.StorageLength(256, 300), MatrixMultiply.PackScratchLength(256, 300));
    }

    [Fact]
    public void ProductsRefuseSizesWhoseLoopsWouldOverflowBeforeTouchingMemory()
    {
        if (!OperatingSystem.IsLinux()) return; // the reservation below uses Linux's mmap flags
        using var reserved = new ReservedAddressSpace(3L * int.MaxValue);
        float[] one = [1f], sums = [0f];
        // Three views of int.MaxValue floats each, disjoint (spans cannot be captured by the lambdas, so these are functions).
        Span<float> X() => reserved.Span(0, int.MaxValue);
        Span<float> Y() => reserved.Span(int.MaxValue, int.MaxValue);
        Span<float> Z() => reserved.Span(2L * int.MaxValue, int.MaxValue);
        InstructionSet path = KernelDispatch.Active;

        foreach (int n in new[] { FirstWrappingWidth, KernelArguments.MaxDimension + 1, int.MaxValue })
        {
            // A 1×1 times a plain 1×N B into a 1×N C: the width the old rounding wrapped on (then packing wrote past its buffer).
            AssertRefused("b", "N (the columns of C)", () => MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(one, 1, 1), new ReadOnlyMatrixSpan(X(), 1, n),
                new MatrixSpan(Y(), 1, n), accumulate: false, path));
            AssertRefused("b", "N (the columns of C)", () => MatrixMultiply.MultiplyWithBias(new ReadOnlyMatrixSpan(one, 1, 1), new ReadOnlyMatrixSpan(X(), 1, n),
                Z()[..n], new MatrixSpan(Y(), 1, n), path));
        }

        int k = KernelArguments.MaxDimension + 1;
        // A 1×K by a K×1: the depth-block loop (k0 += 1024) would wrap and never end.
        AssertRefused("a", "K (the depth of the product)", () => MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(X(), 1, k), new ReadOnlyMatrixSpan(Y(), k, 1),
            new MatrixSpan(one, 1, 1), accumulate: true, path));
        AssertRefused("a", "M (the rows of C)", () => MatrixMultiply.TransposeMultiplyAdd(new ReadOnlyMatrixSpan(X(), 1, k), new ReadOnlyMatrixSpan(Y(), 1, 1),
            new MatrixSpan(Z(), k, 1), path));
        AssertRefused("a", "K (the depth of the product)", () => MatrixMultiply.TransposeMultiplyAdd(new ReadOnlyMatrixSpan(X(), k, 1), new ReadOnlyMatrixSpan(Y(), k, 1),
            new MatrixSpan(one, 1, 1), path));

        // M rows against a pack: the row-block loop (i0 += 120) would wrap.
        var pack = new PackedMatrix(1, 1);
        AssertRefused("a", "M (the rows of C)", () => MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(X(), int.MaxValue, 1), pack, new MatrixSpan(Y(), int.MaxValue, 1),
            accumulate: false, path));
        AssertRefused("a", "M (the rows of C)", () => MatrixMultiply.MultiplyWithBias(new ReadOnlyMatrixSpan(X(), k, 1), pack, one, new MatrixSpan(Y(), k, 1), path));

        // Column sums over int.MaxValue rows of one column: the row-block loop (i0 += 8) would wrap.
        AssertRefused("rows", "The row count", () => BiasKernels.AddColumnSums(X(), int.MaxValue, 1, 1, sums, path));
        Assert.Equal(0f, sums[0]);
    }

    private static void AssertRefused(string parameter, string what, Action call)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(call);
        Assert.Equal(parameter, error.ParamName);
        Assert.StartsWith(what, error.Message);
        Assert.Contains($"at most {KernelArguments.MaxDimension}", error.Message);
    }

    /// <summary>
    /// Address space reserved with no access (PROT_NONE) and no commitment (MAP_NORESERVE): spans over it cost no
    /// memory, and touching one crashes the process, so a check that lets a call through cannot pass silently.
    /// </summary>
    private sealed class ReservedAddressSpace : IDisposable
    {
        private const int ProtNone = 0, MapPrivate = 0x02, MapAnonymous = 0x20, MapNoReserve = 0x4000;
        private readonly nint _address;
        private readonly nuint _bytes;

        public ReservedAddressSpace(long floats)
        {
            _bytes = (nuint)(floats * sizeof(float));
            _address = Mmap(0, _bytes, ProtNone, MapPrivate | MapAnonymous | MapNoReserve, -1, 0);
            Assert.True(_address != -1, $"mmap failed with errno {Marshal.GetLastPInvokeError()}");
        }

        /// <summary>A span of <paramref name="length"/> floats starting <paramref name="start"/> floats into the region.</summary>
        public Span<float> Span(long start, int length) => new((float*)_address + start, length);

        public void Dispose() => Munmap(_address, _bytes);

        [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
        private static extern nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

        [DllImport("libc", EntryPoint = "munmap", SetLastError = true)]
        private static extern int Munmap(nint address, nuint length);
    }
}
