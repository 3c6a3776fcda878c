using System.Runtime.Intrinsics;

namespace Rnn.Fast.Kernels;

/// <summary>
/// One instruction-set path's register tiles for the GEMM driver. Every implementation computes each element of
/// C as the same chain c ← fma(a_k, b_k, c) over k in increasing order, starting from the given start value or +0,
/// so all paths give bit-identical results; they differ only in how many elements they carry in registers at once.
/// </summary>
/// <remarks>
/// <para>The tile family: <see cref="Tile"/> is one generic body, specialized by the JIT for every height
/// (TRows, 1 … 6 rows of A) and width (TVectors, 1 … 4 groups of 16
/// columns) with the unused accumulators and loads removed as dead code, so a batch of any size runs tiles of its
/// exact height (no padded rows) and a remainder panel runs a tile of its width rounded up to 16 columns (not 64).</para>
/// <para>Implementations mark their tiles <c>AggressiveOptimization</c>: they are compiled optimized at their first
/// call, not first as unoptimized tier-0 code that on-stack replacement later swaps out: a tier-0 tile runs an order
/// of magnitude slower, and an app's (or a benchmark's) first calls would pay for it. Tier 1 would compile the same
/// loops later: they have no virtual calls or rarely taken branches for profile-guided optimization to use.</para>
/// </remarks>
internal unsafe interface IGemmMicrokernel
{
    /// <summary>
    /// Depth per block of the driver's loop for this path's tiles (a multiple of 16). C is stored and reloaded
    /// once per depth block, so a deeper block sweeps C fewer times; the tile re-reads its A micro-panel once per
    /// column strip, so a path that splits the tile into strips wants a micro-panel that stays in L1.
    /// </summary>
    static abstract int DepthBlock { get; }

    /// <summary>
    /// The tile of <typeparamref name="TRows"/> rows × 16·<typeparamref name="TVectors"/> columns: for r &lt; rows and
    /// j &lt; 16·vectors, sum = chain over k &lt; depth of a[r·rowStride + k·depthStride]·b[k·bStride + j], starting from
    /// initial[r·initialStride + j], or from +0 when <paramref name="initial"/> is null; then
    /// c[r·ldc + j] = <typeparamref name="TEpilogue"/>.Apply(sum, aux + r·auxStride + j) (the sums are stored, then
    /// transformed in place, while the tile's rows are in L1). The start is C itself to
    /// continue C (initial = c, initialStride = ldc), one bias row for every row (initialStride = 0), or any other
    /// matrix (the forward recurrence starts from the input projection and stores tanh into the hidden state), read
    /// into registers. A is read in place (plain: rowStride = lda, depthStride = 1; transposed: rowStride = 1,
    /// depthStride = lda); <paramref name="b"/> is a k-major panel whose rows lie <paramref name="bStride"/> floats apart
    /// (64 for a full panel; a remainder panel's width, when the lanes past it read the next row: they are computed and
    /// never stored). Every element of the rows × 16·vectors block of c is written.
    /// </summary>
    static abstract void Tile<TRows, TVectors, TEpilogue>(float* a, nint rowStride, nint depthStride, float* b, nint bStride, nint depth,
        float* c, nint ldc, float* initial, nint initialStride, float* aux, nint auxStride)
        where TRows : struct, ITileSize
        where TVectors : struct, ITileSize
        where TEpilogue : struct, IGemmEpilogue;

    /// <summary>
    /// The full 6×64 <see cref="Tile"/> (plain store) for the first tile over a panel that is not packed yet: B's 64
    /// columns at depth k are read from source[k·sourceStride + j], and the panel <paramref name="b"/> (b[k·64 + j]) is
    /// written with them, so the tiles after this one read the packed panel. Packing is a copy, so the bits are those of
    /// <see cref="Tile"/> on the packed panel.
    /// </summary>
    static abstract void TileCopyingPanel(float* a, nint rowStride, nint depthStride, float* source, nint sourceStride, float* b, nint depth,
        float* c, nint ldc, float* initial, nint initialStride);

    /// <summary>
    /// Whether <see cref="RowWithRemainder"/> exists on this path: a path with enough registers to carry a full panel's
    /// accumulators and a remainder panel's in one pass (AVX-512's 32).
    /// </summary>
    static abstract bool FusesRemainderRow { get; }

    /// <summary>
    /// One row against a full panel (<paramref name="panel"/>, rows <paramref name="panelStride"/> floats apart) and a
    /// remainder panel (<paramref name="remainder"/>, rows <paramref name="remainderStride"/> apart, 16·<typeparamref name="TVectors"/>
    /// columns computed) in one pass over k: c[j] for j &lt; 64 and cRemainder[j] for j &lt; 16·vectors, each chain from
    /// its start (null: +0), then the epilogue as in <see cref="Tile"/> (aux and auxRemainder point at the same
    /// elements of its second matrix). The remainder's few chains then run beside the panel's four instead of after
    /// them: alone, one accumulator over the whole depth waits on its own FMA latency at every k.
    /// </summary>
    static abstract void RowWithRemainder<TVectors, TEpilogue>(float* x, nint xStride, float* panel, nint panelStride, float* remainder,
        nint remainderStride, nint depth, float* c, float* cRemainder, float* initial, float* initialRemainder, float* aux, float* auxRemainder)
        where TVectors : struct, ITileSize
        where TEpilogue : struct, IGemmEpilogue;
}

/// <summary>A size known when the JIT specializes a tile: rows of A or groups of 16 columns.</summary>
internal interface ITileSize
{
    /// <summary>The size.</summary>
    static abstract int Value { get; }
}

/// <summary>1 (a tile size).</summary>
internal readonly struct TileSize1 : ITileSize { public static int Value => 1; }

/// <summary>2 (a tile size).</summary>
internal readonly struct TileSize2 : ITileSize { public static int Value => 2; }

/// <summary>3 (a tile size).</summary>
internal readonly struct TileSize3 : ITileSize { public static int Value => 3; }

/// <summary>4 (a tile size).</summary>
internal readonly struct TileSize4 : ITileSize { public static int Value => 4; }

/// <summary>5 (a tile size).</summary>
internal readonly struct TileSize5 : ITileSize { public static int Value => 5; }

/// <summary>6 (a tile size).</summary>
internal readonly struct TileSize6 : ITileSize { public static int Value => 6; }

/// <summary>
/// What a tile stores for each finished chain: the sum itself, tanh of it, or the tanh gradient of it. Applying the
/// elementwise step in the tile, on values still in registers, saves the pass over C that would read them back; the
/// step is one formula per element, identical in every lane and width (the operators of <see cref="ElementwiseDriver"/>),
/// so the bits equal the product followed by the elementwise kernel.
/// </summary>
internal unsafe interface IGemmEpilogue
{
    /// <summary>Whether <see cref="Apply(float, float*)"/> returns the sum itself (a plain product: the tile skips the epilogue).</summary>
    static abstract bool IsIdentity { get; }

    /// <summary>Whether <see cref="Apply(float, float*)"/> reads its second argument (an element of a second matrix).</summary>
    static abstract bool ReadsAux { get; }

    /// <summary>The value stored for the finished chain <paramref name="sum"/>; <paramref name="aux"/> points at the same element of the second matrix.</summary>
    static abstract float Apply(float sum, float* aux);

    /// <inheritdoc cref="Apply(float, float*)"/>
    static abstract Vector128<float> Apply(Vector128<float> sum, float* aux);

    /// <inheritdoc cref="Apply(float, float*)"/>
    static abstract Vector256<float> Apply(Vector256<float> sum, float* aux);

    /// <inheritdoc cref="Apply(float, float*)"/>
    static abstract Vector512<float> Apply(Vector512<float> sum, float* aux);
}

/// <summary>Stores the sum: a plain product.</summary>
internal readonly unsafe struct StoreSum : IGemmEpilogue
{
    public static bool IsIdentity => true;

    public static bool ReadsAux => false;

    public static float Apply(float sum, float* aux) => sum;

    public static Vector128<float> Apply(Vector128<float> sum, float* aux) => sum;

    public static Vector256<float> Apply(Vector256<float> sum, float* aux) => sum;

    public static Vector512<float> Apply(Vector512<float> sum, float* aux) => sum;
}

/// <summary>Stores tanh(sum) (<see cref="TanhOperator"/>): H_t = tanh(A_t + H_{t−1}·Whh) in one pass.</summary>
internal readonly unsafe struct StoreTanh : IGemmEpilogue
{
    public static bool IsIdentity => false;

    public static bool ReadsAux => false;

    public static float Apply(float sum, float* aux) => default(TanhOperator).Invoke(sum);

    public static Vector128<float> Apply(Vector128<float> sum, float* aux) => default(TanhOperator).Invoke(sum);

    public static Vector256<float> Apply(Vector256<float> sum, float* aux) => default(TanhOperator).Invoke(sum);

    public static Vector512<float> Apply(Vector512<float> sum, float* aux) => default(TanhOperator).Invoke(sum);
}

/// <summary>
/// Stores sum·(1 − h²) with h read from the second matrix (<see cref="TanhGradientOperator"/>): dA_t = dH_t ⊙ (1 − H_t²)
/// as the recurrence's dH_t is finished.
/// </summary>
internal readonly unsafe struct StoreTanhGradient : IGemmEpilogue
{
    public static bool IsIdentity => false;

    public static bool ReadsAux => true;

    public static float Apply(float sum, float* aux) => default(TanhGradientOperator).Invoke(*aux, sum);

    public static Vector128<float> Apply(Vector128<float> sum, float* aux) => default(TanhGradientOperator).Invoke(Vector128.Load(aux), sum);

    public static Vector256<float> Apply(Vector256<float> sum, float* aux) => default(TanhGradientOperator).Invoke(Vector256.Load(aux), sum);

    public static Vector512<float> Apply(Vector512<float> sum, float* aux) => default(TanhGradientOperator).Invoke(Vector512.Load(aux), sum);
}
