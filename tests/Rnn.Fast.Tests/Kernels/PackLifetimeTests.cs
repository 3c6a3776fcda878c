using Rnn.Fast.Kernels;

namespace Rnn.Fast.Tests.Kernels;

/// <summary>
/// A pack's storage lives until its own copy is done, even when nothing else references the pack. The copy writes
/// through a raw pointer, and the runtime may collect an object during a call on it once the object is no longer
/// used. A background GC then frees the pinned storage while the copy is still writing into it.
/// </summary>
public class PackLifetimeTests
{
    /// <summary>
    /// <see cref="PackedMatrix.From"/> and <see cref="PackedMatrix.FromTransposed"/> with the result thrown away, in a
    /// loop of 2 MiB packs. Each one allocates on the pinned heap, so background GCs run during the loop. With the
    /// GC.KeepAlive in Pack and PackTransposed commented out, this test took the test process down with an
    /// AccessViolationException in 4 of 4 runs. So 1,500 iterations (two packs each, about 3 s here) make the failure
    /// likely, though not certain. The last assertions check that a pack made the same way holds its source.
    /// </summary>
    [Fact]
    public void PacksThatNothingElseReferencesSurviveTheirOwnCopy()
    {
        const int rows = 2048, columns = 256, iterations = 1500;
        int stride = LeadingDimension.For(columns);
        var source = new float[rows * stride];
        for (int i = 0; i < source.Length; i++) source[i] = i % 977;
        var plain = new ReadOnlyMatrixSpan(source, rows, columns, stride);
        var transposed = new ReadOnlyMatrixSpan(source, columns, rows, stride * rows / columns);

        for (int i = 0; i < iterations; i++)
        {
            PackedMatrix.From(plain);
            PackedMatrix.FromTransposed(transposed);
        }

        PackedMatrix last = PackedMatrix.From(plain), lastTransposed = PackedMatrix.FromTransposed(transposed);
        Assert.Equal(source[(rows - 1) * stride + columns - 1], last[rows - 1, columns - 1]);
        Assert.Equal(source[(columns - 1) * (stride * rows / columns) + rows - 1], lastTransposed[rows - 1, columns - 1]);
    }
}
