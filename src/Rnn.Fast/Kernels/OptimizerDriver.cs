using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Rnn.Fast.Kernels;

/// <summary>
/// An optimizer's update of one element: from the parameter p, its gradient g and up to three state values in the
/// parameter layout (s1, s2, s3: a momentum buffer, or Adam's two moments and the AMSGrad maximum), the new p and
/// the new state. One <c>Compute</c> per width performs, per lane, exactly the same sequence of IEEE operations, so
/// every width gives the same bits; the driver stores what <c>Compute</c> returns, or only tests it for finiteness,
/// so the non-finite guard checks the very values an update stores.
/// </summary>
/// <remarks>State streams an operator does not use are never read or written (their pointers may be null).</remarks>
internal interface IOptimizerOperator
{
    (float P, float S1, float S2, float S3) Compute(float p, float g, float s1, float s2, float s3);

    (Vector128<float> P, Vector128<float> S1, Vector128<float> S2, Vector128<float> S3) Compute(
        Vector128<float> p, Vector128<float> g, Vector128<float> s1, Vector128<float> s2, Vector128<float> s3);

    (Vector256<float> P, Vector256<float> S1, Vector256<float> S2, Vector256<float> S3) Compute(
        Vector256<float> p, Vector256<float> g, Vector256<float> s1, Vector256<float> s2, Vector256<float> s3);

    (Vector512<float> P, Vector512<float> S1, Vector512<float> S2, Vector512<float> S3) Compute(
        Vector512<float> p, Vector512<float> g, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3);

    /// <summary>How many state streams (s1, s2, s3, in that order) the operator reads and writes: 0 to 3.</summary>
    int StateCount { get; }
}

/// <summary>
/// The loops of an optimizer step over a flat parameter span and its state spans of the same length (the
/// <see cref="RnnShape"/> layout): one fused pass that reads each element once and writes it once.
/// </summary>
/// <remarks>
/// Full vectors run from the start, the last (fewer than one vector's) elements through the scalar <c>Compute</c>,
/// which performs the same IEEE operations, so an element's bits depend neither on the path nor on its position.
/// Every element is computed from the values it had before the call; nothing is read after it was written, so the
/// update is correct in place. Callers check lengths and overlaps (the spans must be equally long and pairwise
/// disjoint, except for the unused state spans, which may be empty).
/// </remarks>
internal static unsafe class OptimizerDriver
{
    /// <summary>Applies <paramref name="op"/> to every element, in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TOperator>(TOperator op, Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> state1,
        Span<float> state2, Span<float> state3, InstructionSet instructionSet)
        where TOperator : struct, IOptimizerOperator
    {
        int length = parameters.Length;
        fixed (float* p = &MemoryMarshal.GetReference(parameters))
        fixed (float* g = &MemoryMarshal.GetReference(gradients))
        fixed (float* s1 = &MemoryMarshal.GetReference(state1))
        fixed (float* s2 = &MemoryMarshal.GetReference(state2))
        fixed (float* s3 = &MemoryMarshal.GetReference(state3))
        {
            int i = instructionSet switch
            {
                InstructionSet.Avx512 => Apply512(op, p, g, s1, s2, s3, length),
                InstructionSet.Avx2 => Apply256(op, p, g, s1, s2, s3, length),
                InstructionSet.Portable => Apply128(op, p, g, s1, s2, s3, length),
                _ => 0,
            };
            int count = op.StateCount;
            for (; i < length; i++)
            {
                var r = op.Compute(p[i], g[i], count > 0 ? s1[i] : 0f, count > 1 ? s2[i] : 0f, count > 2 ? s3[i] : 0f);
                p[i] = r.P;
                if (count > 0) s1[i] = r.S1;
                if (count > 1) s2[i] = r.S2;
                if (count > 2) s3[i] = r.S3;
            }
        }
    }

    /// <summary>
    /// The index of the first element whose new parameter or new state value <paramref name="op"/> would make NaN or
    /// infinite, or −1; computed as <see cref="Apply{TOperator}"/> computes it and written nowhere.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int IndexOfFirstNonFinite<TOperator>(TOperator op, ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients,
        ReadOnlySpan<float> state1, ReadOnlySpan<float> state2, ReadOnlySpan<float> state3, InstructionSet instructionSet)
        where TOperator : struct, IOptimizerOperator
    {
        int length = parameters.Length;
        fixed (float* p = &MemoryMarshal.GetReference(parameters))
        fixed (float* g = &MemoryMarshal.GetReference(gradients))
        fixed (float* s1 = &MemoryMarshal.GetReference(state1))
        fixed (float* s2 = &MemoryMarshal.GetReference(state2))
        fixed (float* s3 = &MemoryMarshal.GetReference(state3))
        {
            // The vector pass finds the first register with a non-finite lane; the scalar scan from there finds the lane.
            int i = instructionSet switch
            {
                InstructionSet.Avx512 => FirstFailingBlock512(op, p, g, s1, s2, s3, length),
                InstructionSet.Avx2 => FirstFailingBlock256(op, p, g, s1, s2, s3, length),
                InstructionSet.Portable => FirstFailingBlock128(op, p, g, s1, s2, s3, length),
                _ => 0,
            };
            int count = op.StateCount;
            for (; i < length; i++)
            {
                var r = op.Compute(p[i], g[i], count > 0 ? s1[i] : 0f, count > 1 ? s2[i] : 0f, count > 2 ? s3[i] : 0f);
                // Only the streams the operator uses count (the unused ones are 0).
                if (!float.IsFinite(r.P) || (count > 0 && !float.IsFinite(r.S1)) || (count > 1 && !float.IsFinite(r.S2))
                    || (count > 2 && !float.IsFinite(r.S3)))
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>The new values of element <paramref name="index"/>, as <see cref="Apply{TOperator}"/> would store them (for messages).</summary>
    public static (float P, float S1, float S2, float S3) At<TOperator>(TOperator op, ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients,
        ReadOnlySpan<float> state1, ReadOnlySpan<float> state2, ReadOnlySpan<float> state3, int index)
        where TOperator : struct, IOptimizerOperator
    {
        int count = op.StateCount;
        return op.Compute(parameters[index], gradients[index], count > 0 ? state1[index] : 0f, count > 1 ? state2[index] : 0f,
            count > 2 ? state3[index] : 0f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Load128(float* s, int i, bool used) => used ? Vector128.Load(s + i) : Vector128<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load256(float* s, int i, bool used) => used ? Vector256.Load(s + i) : Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load512(float* s, int i, bool used) => used ? Vector512.Load(s + i) : Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Apply128<TOperator>(TOperator op, float* p, float* g, float* s1, float* s2, float* s3, int length)
        where TOperator : struct, IOptimizerOperator
    {
        const int Width = 4;
        int count = op.StateCount, i = 0;
        for (; i <= length - Width; i += Width)
        {
            var r = op.Compute(Vector128.Load(p + i), Vector128.Load(g + i), Load128(s1, i, count > 0), Load128(s2, i, count > 1), Load128(s3, i, count > 2));
            Vector128.Store(r.P, p + i);
            if (count > 0) Vector128.Store(r.S1, s1 + i);
            if (count > 1) Vector128.Store(r.S2, s2 + i);
            if (count > 2) Vector128.Store(r.S3, s3 + i);
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Apply256<TOperator>(TOperator op, float* p, float* g, float* s1, float* s2, float* s3, int length)
        where TOperator : struct, IOptimizerOperator
    {
        const int Width = 8;
        int count = op.StateCount, i = 0;
        for (; i <= length - Width; i += Width)
        {
            var r = op.Compute(Vector256.Load(p + i), Vector256.Load(g + i), Load256(s1, i, count > 0), Load256(s2, i, count > 1), Load256(s3, i, count > 2));
            Vector256.Store(r.P, p + i);
            if (count > 0) Vector256.Store(r.S1, s1 + i);
            if (count > 1) Vector256.Store(r.S2, s2 + i);
            if (count > 2) Vector256.Store(r.S3, s3 + i);
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Apply512<TOperator>(TOperator op, float* p, float* g, float* s1, float* s2, float* s3, int length)
        where TOperator : struct, IOptimizerOperator
    {
        const int Width = 16;
        int count = op.StateCount, i = 0;
        for (; i <= length - Width; i += Width)
        {
            var r = op.Compute(Vector512.Load(p + i), Vector512.Load(g + i), Load512(s1, i, count > 0), Load512(s2, i, count > 1), Load512(s3, i, count > 2));
            Vector512.Store(r.P, p + i);
            if (count > 0) Vector512.Store(r.S1, s1 + i);
            if (count > 1) Vector512.Store(r.S2, s2 + i);
            if (count > 2) Vector512.Store(r.S3, s3 + i);
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int FirstFailingBlock128<TOperator>(TOperator op, float* p, float* g, float* s1, float* s2, float* s3, int length)
        where TOperator : struct, IOptimizerOperator
    {
        const int Width = 4;
        int count = op.StateCount, i = 0;
        for (; i <= length - Width; i += Width)
        {
            var r = op.Compute(Vector128.Load(p + i), Vector128.Load(g + i), Load128(s1, i, count > 0), Load128(s2, i, count > 1), Load128(s3, i, count > 2));
            // Unused state lanes are 0, so their sum with the parameter lanes is finite exactly when the used ones are.
            Vector128<float> all = (r.P - r.P) + (r.S1 - r.S1) + (r.S2 - r.S2) + (r.S3 - r.S3);
            if (!Vector128.EqualsAll(all, Vector128<float>.Zero)) return i;
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int FirstFailingBlock256<TOperator>(TOperator op, float* p, float* g, float* s1, float* s2, float* s3, int length)
        where TOperator : struct, IOptimizerOperator
    {
        const int Width = 8;
        int count = op.StateCount, i = 0;
        for (; i <= length - Width; i += Width)
        {
            var r = op.Compute(Vector256.Load(p + i), Vector256.Load(g + i), Load256(s1, i, count > 0), Load256(s2, i, count > 1), Load256(s3, i, count > 2));
            Vector256<float> all = (r.P - r.P) + (r.S1 - r.S1) + (r.S2 - r.S2) + (r.S3 - r.S3);
            if (!Vector256.EqualsAll(all, Vector256<float>.Zero)) return i;
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int FirstFailingBlock512<TOperator>(TOperator op, float* p, float* g, float* s1, float* s2, float* s3, int length)
        where TOperator : struct, IOptimizerOperator
    {
        const int Width = 16;
        int count = op.StateCount, i = 0;
        for (; i <= length - Width; i += Width)
        {
            var r = op.Compute(Vector512.Load(p + i), Vector512.Load(g + i), Load512(s1, i, count > 0), Load512(s2, i, count > 1), Load512(s3, i, count > 2));
            Vector512<float> all = (r.P - r.P) + (r.S1 - r.S1) + (r.S2 - r.S2) + (r.S3 - r.S3);
            if (!Vector512.EqualsAll(all, Vector512<float>.Zero)) return i;
        }
        return i;
    }
}
