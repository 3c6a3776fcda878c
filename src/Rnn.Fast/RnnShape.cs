namespace Rnn.Fast;

/// <summary>
/// The sizes of an Elman network (input d, hidden h, output o) and the layout of its parameters in one contiguous
/// buffer. The same layout serves parameters, gradients and optimizer state, in float (fast engine) or double
/// (reference): <c>[ Wxh (d×h) | Whh (h×h) | bh (h) | Who (h×o) | bo (o) ]</c>, every matrix row-major, no padding.
/// </summary>
/// <remarks>
/// The model is <c>H_t = tanh(X_t·Wxh + H_{t-1}·Whh + bh)</c> and <c>O_t = H_t·Who + bo</c>. Batch size n and
/// sequence length T are not part of the shape: they belong to each call. Instances are immutable and thread-safe.
/// </remarks>
public sealed record RnnShape
{
    /// <summary>The largest number of parameters a shape may have: the largest .NET array length.</summary>
    public static int MaxParameterCount => Array.MaxLength;

    /// <summary>Creates a shape and checks that its parameter buffer fits in one array.</summary>
    /// <param name="inputSize">d, the width of each input vector; at least 1.</param>
    /// <param name="hiddenSize">h, the width of the hidden state; at least 1.</param>
    /// <param name="outputSize">o, the width of each output vector; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, or the parameters would exceed
    /// <see cref="MaxParameterCount"/>; the exception names the largest of the three sizes (h when it ties, as it enters
    /// the count squared), and its message gives all three and the count.</exception>
    /// <remarks>A shape is only sizes: whether the fast engine can build a model of it (its weight packs pad their
    /// columns) is checked by <see cref="RnnModel"/>'s constructors.</remarks>
    public RnnShape(int inputSize, int hiddenSize, int outputSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputSize, 1);
        ulong count = ParameterCountOf(inputSize, hiddenSize, outputSize);
        if (count > (ulong)MaxParameterCount)
        {
            string largest = hiddenSize >= inputSize && hiddenSize >= outputSize ? nameof(hiddenSize)
                : inputSize >= outputSize ? nameof(inputSize) : nameof(outputSize);
            throw new ArgumentOutOfRangeException(largest,
                $"The shape d={inputSize}, h={hiddenSize}, o={outputSize} needs {count} parameters; at most {MaxParameterCount} fit in one buffer.");
        }

        InputSize = inputSize;
        HiddenSize = hiddenSize;
        OutputSize = outputSize;
        ParameterCount = (int)count;
    }

    /// <summary>
    /// d·h + h·h + h + h·o + o = h·(d + h + o + 1) + o, exact for every size from 1 to <see cref="int.MaxValue"/>: each
    /// size is below 2^31, so d + h + o + 1 is below 2^33 and the product below 3·2^62 + 2^31, inside ulong.
    /// </summary>
    internal static ulong ParameterCountOf(int inputSize, int hiddenSize, int outputSize) =>
        (ulong)hiddenSize * ((ulong)inputSize + (ulong)hiddenSize + (ulong)outputSize + 1) + (ulong)outputSize;

    /// <summary>d, the width of each input vector.</summary>
    public int InputSize { get; }

    /// <summary>h, the width of the hidden state.</summary>
    public int HiddenSize { get; }

    /// <summary>o, the width of each output vector.</summary>
    public int OutputSize { get; }

    /// <summary>The length of the parameter buffer: d·h + h·h + h + h·o + o.</summary>
    public int ParameterCount { get; }

    /// <summary>Where Wxh (d×h, row-major) starts in the parameter buffer: 0.</summary>
    public int WxhOffset => 0;

    /// <summary>The number of elements of Wxh: d·h.</summary>
    public int WxhLength => InputSize * HiddenSize;

    /// <summary>Where Whh (h×h, row-major) starts in the parameter buffer.</summary>
    public int WhhOffset => WxhLength;

    /// <summary>The number of elements of Whh: h·h.</summary>
    public int WhhLength => HiddenSize * HiddenSize;

    /// <summary>Where bh (length h) starts in the parameter buffer.</summary>
    public int BhOffset => WhhOffset + WhhLength;

    /// <summary>The number of elements of bh: h.</summary>
    public int BhLength => HiddenSize;

    /// <summary>Where Who (h×o, row-major) starts in the parameter buffer.</summary>
    public int WhoOffset => BhOffset + BhLength;

    /// <summary>The number of elements of Who: h·o.</summary>
    public int WhoLength => HiddenSize * OutputSize;

    /// <summary>Where bo (length o) starts in the parameter buffer.</summary>
    public int BoOffset => WhoOffset + WhoLength;

    /// <summary>The number of elements of bo: o.</summary>
    public int BoLength => OutputSize;

    /// <summary>The Wxh view (d×h, row-major) of a parameter-shaped buffer.</summary>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not <see cref="ParameterCount"/> long.</exception>
    public Span<T> Wxh<T>(Span<T> parameters) => Checked(parameters).Slice(WxhOffset, WxhLength);

    /// <summary>The Whh view (h×h, row-major) of a parameter-shaped buffer.</summary>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not <see cref="ParameterCount"/> long.</exception>
    public Span<T> Whh<T>(Span<T> parameters) => Checked(parameters).Slice(WhhOffset, WhhLength);

    /// <summary>The bh view (length h) of a parameter-shaped buffer.</summary>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not <see cref="ParameterCount"/> long.</exception>
    public Span<T> Bh<T>(Span<T> parameters) => Checked(parameters).Slice(BhOffset, BhLength);

    /// <summary>The Who view (h×o, row-major) of a parameter-shaped buffer.</summary>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not <see cref="ParameterCount"/> long.</exception>
    public Span<T> Who<T>(Span<T> parameters) => Checked(parameters).Slice(WhoOffset, WhoLength);

    /// <summary>The bo view (length o) of a parameter-shaped buffer.</summary>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not <see cref="ParameterCount"/> long.</exception>
    public Span<T> Bo<T>(Span<T> parameters) => Checked(parameters).Slice(BoOffset, BoLength);

    /// <summary>The read-only Wxh view (d×h, row-major) of a parameter-shaped buffer.</summary>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not <see cref="ParameterCount"/> long.</exception>
    public ReadOnlySpan<T> Wxh<T>(ReadOnlySpan<T> parameters) => Checked(parameters).Slice(WxhOffset, WxhLength);

    /// <summary>The read-only Whh view (h×h, row-major) of a parameter-shaped buffer.</summary>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not <see cref="ParameterCount"/> long.</exception>
    public ReadOnlySpan<T> Whh<T>(ReadOnlySpan<T> parameters) => Checked(parameters).Slice(WhhOffset, WhhLength);

    /// <summary>The read-only bh view (length h) of a parameter-shaped buffer.</summary>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not <see cref="ParameterCount"/> long.</exception>
    public ReadOnlySpan<T> Bh<T>(ReadOnlySpan<T> parameters) => Checked(parameters).Slice(BhOffset, BhLength);

    /// <summary>The read-only Who view (h×o, row-major) of a parameter-shaped buffer.</summary>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not <see cref="ParameterCount"/> long.</exception>
    public ReadOnlySpan<T> Who<T>(ReadOnlySpan<T> parameters) => Checked(parameters).Slice(WhoOffset, WhoLength);

    /// <summary>The read-only bo view (length o) of a parameter-shaped buffer.</summary>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not <see cref="ParameterCount"/> long.</exception>
    public ReadOnlySpan<T> Bo<T>(ReadOnlySpan<T> parameters) => Checked(parameters).Slice(BoOffset, BoLength);

    /// <summary>The writable Wxh view (d×h, row-major) of a parameter-shaped array.</summary>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not <see cref="ParameterCount"/> long.</exception>
    public Span<T> Wxh<T>(T[] parameters) => Wxh(parameters.AsSpan());

    /// <summary>The writable Whh view (h×h, row-major) of a parameter-shaped array.</summary>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not <see cref="ParameterCount"/> long.</exception>
    public Span<T> Whh<T>(T[] parameters) => Whh(parameters.AsSpan());

    /// <summary>The writable bh view (length h) of a parameter-shaped array.</summary>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not <see cref="ParameterCount"/> long.</exception>
    public Span<T> Bh<T>(T[] parameters) => Bh(parameters.AsSpan());

    /// <summary>The writable Who view (h×o, row-major) of a parameter-shaped array.</summary>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not <see cref="ParameterCount"/> long.</exception>
    public Span<T> Who<T>(T[] parameters) => Who(parameters.AsSpan());

    /// <summary>The writable bo view (length o) of a parameter-shaped array.</summary>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is not <see cref="ParameterCount"/> long.</exception>
    public Span<T> Bo<T>(T[] parameters) => Bo(parameters.AsSpan());

    /// <summary>
    /// The number of elements of a time-major sequence batch <c>[T][n][width]</c>, checked against the largest array.
    /// </summary>
    /// <param name="sequenceLength">T, at least 1.</param>
    /// <param name="batchSize">n, at least 1.</param>
    /// <param name="width">The width of one vector (d for inputs, h for hidden states, o for outputs).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, or the product exceeds the largest array: the
    /// exception names <paramref name="batchSize"/> when n·width alone is too large, <paramref name="sequenceLength"/>
    /// otherwise.</exception>
    public static int SequenceElementCount(int sequenceLength, int batchSize, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        long count = (long)sequenceLength * batchSize * width;
        if (count > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(TooLongArgument(batchSize, width, minimumSteps: 1, nameof(sequenceLength), nameof(batchSize)),
                $"A sequence of T={sequenceLength}, n={batchSize}, width={width} needs {count} elements; at most {Array.MaxLength} fit in one buffer.");
        }

        return (int)count;
    }

    /// <summary>
    /// The number of elements of the hidden states H_0..H_T of a batch, <c>[T + 1][n][width]</c>, checked against the
    /// largest array. A too-large T is reported as T (not T + 1), and n is named when even T = 1 would not fit.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, or the product exceeds the largest array.</exception>
    internal static int StateElementCount(int sequenceLength, int batchSize, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        long count = ((long)sequenceLength + 1) * batchSize * width;
        if (count > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(TooLongArgument(batchSize, width, minimumSteps: 2, nameof(sequenceLength), nameof(batchSize)),
                $"A sequence of T={sequenceLength}, n={batchSize} keeps H_0..H_T: (T + 1)·n rows of {width} floats, {count} in all; at most {Array.MaxLength} fit in one buffer.");
        }

        return (int)count;
    }

    /// <summary>
    /// Which argument makes a [steps][n][width] buffer too large: the batch when <paramref name="minimumSteps"/> steps of
    /// n·width do not fit (no sequence length could help), the sequence length otherwise.
    /// </summary>
    internal static string TooLongArgument(int batchSize, int width, int minimumSteps, string sequenceName, string batchName) =>
        (long)minimumSteps * batchSize * width > Array.MaxLength ? batchName : sequenceName;

    /// <inheritdoc/>
    public override string ToString() => $"d={InputSize}, h={HiddenSize}, o={OutputSize}";

    private Span<T> Checked<T>(Span<T> parameters)
    {
        CheckLength(parameters.Length);
        return parameters;
    }

    private ReadOnlySpan<T> Checked<T>(ReadOnlySpan<T> parameters)
    {
        CheckLength(parameters.Length);
        return parameters;
    }

    private void CheckLength(int length)
    {
        if (length != ParameterCount)
        {
            throw new ArgumentException(
                $"A parameter buffer of shape {this} must hold {ParameterCount} elements, but holds {length}.", "parameters");
        }
    }
}
