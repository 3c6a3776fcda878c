using Rnn.Fast.Kernels;

namespace Rnn.Fast;

/// <summary>
/// The one place that decides whether a shape can be built as an <see cref="RnnModel"/>, and what a model and a model
/// file's load allocate. Every size is computed in 64-bit arithmetic from the size functions of the buffers
/// themselves (<see cref="RnnShape.ParameterCountOf"/>, <see cref="PackedMatrix.StorageLength"/>,
/// <see cref="LeadingDimension.For"/>), before anything is allocated, so a change of the pack layout changes these
/// answers with it. <see cref="RnnModel"/>'s constructors and <see cref="RnnModelFile"/>'s header checks call it.
/// </summary>
internal static class ModelSizes
{
    /// <summary>c·4 in the load bound: a load allocates at most 16 bytes (c = 4 times the 4 bytes the file holds) per parameter …</summary>
    public const long LoadBytesPerParameter = 16;

    /// <summary>… plus 128 bytes per unit of d + h + o (room for the packs' padding of short rows) …</summary>
    public const long LoadBytesPerUnitOfSize = 128;

    /// <summary>… plus 1 MiB (room for the padding of small models, the loader's 64 KiB chunk and its small objects).</summary>
    public const long LoadBytesConstant = 1 << 20;

    /// <summary>What a load allocates beside the parameters and the packs: the 64 KiB chunk, the checksum and the model's small objects.</summary>
    private const long LoadOverheadBytes = 128 * 1024;

    /// <summary>The weight packs a model holds, as (name, rows, columns) of the packed matrix for a shape d, h, o.</summary>
    private static (string Name, int Rows, int Columns)[] Packs(int d, int h, int o) =>
    [
        ("Wxh", d, h), ("Whh", h, h), ("Who", h, o), // forward: A += X·Wxh, A += H·Whh, O += H·Who
        ("Wxhᵀ", h, d), ("Whhᵀ", h, h), ("Whoᵀ", o, h), // backward: dX = dA·Wxhᵀ, dH += dA·Whhᵀ, dH = dO·Whoᵀ
    ];

    /// <summary>
    /// Null when a model of shape d, h, o can be built: its parameters fit in one array, each of its six weight packs
    /// does, and so do the rows of the smallest workspace (T = n = 1). Otherwise what does not fit, with the sizes.
    /// Every size from 1 to <see cref="int.MaxValue"/> is answered exactly; nothing is allocated.
    /// </summary>
    public static string? Problem(int d, int h, int o)
    {
        if (d < 1 || h < 1 || o < 1) return $"the shape d={d}, h={h}, o={o} has a size below 1";
        ulong parameters = RnnShape.ParameterCountOf(d, h, o);
        if (parameters > (ulong)RnnShape.MaxParameterCount)
        {
            return $"the shape d={d}, h={h}, o={o} needs {parameters} parameters; a model holds at most {RnnShape.MaxParameterCount}";
        }

        foreach ((string name, int rows, int columns) in Packs(d, h, o))
        {
            long floats = PackedMatrix.StorageLength(rows, columns);
            if (floats > Array.MaxLength)
            {
                return $"the shape d={d}, h={h}, o={o} needs {floats} floats for its packed {name} ({rows}×{columns}, whose columns " +
                    $"the pack pads to a multiple of {PackedMatrix.PanelWidth}); one array holds at most {Array.MaxLength}";
            }
        }

        // A workspace row holds [X_t | H_{t−1}] at LeadingDimension.For(d + h) floats, and holds at least two (H_0, H_1).
        long row = (long)d + h;
        if (row > Array.MaxLength - 32 || 2L * LeadingDimension.For((int)row) > Array.MaxLength)
        {
            return $"the shape d={d}, h={h}, o={o} needs workspace rows of d + h = {row} floats, two of which do not fit in one array";
        }

        return null;
    }

    /// <summary>Returns <paramref name="shape"/> when a model of it can be built (see <see cref="Problem"/>); throws otherwise.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A buffer of the model would not fit in one array.</exception>
    public static RnnShape RequireBuildable(RnnShape shape, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(shape, parameterName);
        string? problem = Problem(shape.InputSize, shape.HiddenSize, shape.OutputSize);
        if (problem is not null)
        {
            throw new ArgumentOutOfRangeException(parameterName, $"A model cannot be built: {problem}.");
        }

        return shape;
    }

    /// <summary>The floats of the six weight packs of a buildable shape (see <see cref="Problem"/>).</summary>
    public static long PackFloats(int d, int h, int o)
    {
        long total = 0;
        foreach ((_, int rows, int columns) in Packs(d, h, o)) total += PackedMatrix.StorageLength(rows, columns);
        return total;
    }

    /// <summary>
    /// The most a model-file load may allocate for a shape with P parameters: 16·P + 128·(d + h + o) + 1 MiB bytes,
    /// that is c = 4 times the file's 4·P bytes of parameters, plus a term in d + h + o.
    /// </summary>
    public static long LoadAllocationLimit(int d, int h, int o) =>
        LoadBytesPerParameter * (long)RnnShape.ParameterCountOf(d, h, o) + LoadBytesPerUnitOfSize * ((long)d + h + o) + LoadBytesConstant;

    /// <summary>
    /// What a load of a buildable shape allocates at most, on its most expensive route (a stream without a length):
    /// 1.5·4·P bytes of parameter buffers (the blocks that receive the first half, then the array the model keeps),
    /// 4 bytes per float of the packs, and the loader's fixed overhead.
    /// </summary>
    public static long LoadAllocation(int d, int h, int o)
    {
        long parameters = (long)RnnShape.ParameterCountOf(d, h, o);
        return sizeof(float) * (parameters + (parameters + 1) / 2) + sizeof(float) * PackFloats(d, h, o) + LoadOverheadBytes;
    }

    /// <summary>
    /// Null when a file of shape d, h, o may be loaded: the model can be built and the load allocates at most
    /// <see cref="LoadAllocationLimit"/>. Otherwise what is too large, with the sizes.
    /// </summary>
    public static string? LoadProblem(int d, int h, int o)
    {
        string? problem = Problem(d, h, o);
        if (problem is not null) return problem;
        long allocation = LoadAllocation(d, h, o), limit = LoadAllocationLimit(d, h, o);
        if (allocation <= limit) return null;
        long parameters = (long)RnnShape.ParameterCountOf(d, h, o);
        return $"the shape d={d}, h={h}, o={o} has {parameters} parameters ({4 * parameters} bytes), but its weight packs, which pad " +
            $"their columns to a multiple of {PackedMatrix.PanelWidth}, take {4 * PackFloats(d, h, o)} bytes: loading it would allocate up to " +
            $"{allocation} bytes, and a load allocates at most 16·P + 128·(d + h + o) + 1 MiB = {limit}";
    }
}
