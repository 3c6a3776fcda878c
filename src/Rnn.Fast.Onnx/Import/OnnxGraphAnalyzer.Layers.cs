using Rnn.Fast.Onnx.Protobuf;

namespace Rnn.Fast.Onnx.Import;

/// <summary>The RNN node, the output layer, and the assembly of the model.</summary>
internal sealed partial class OnnxGraphAnalyzer
{
    /// <summary>What the RNN node showed: sizes, the input's axes, the weights and the initial state.</summary>
    private sealed record RecurrentLayer(
        string NodeName, int InputSize, int HiddenSize, string InputName, int TimeAxis, int BatchAxis,
        int? FixedSequenceLength, int? FixedBatchSize, float[] InputWeights, float[] RecurrentWeights, float[] Biases,
        OnnxInitialState InitialState, string? InitialHiddenInput, OnnxParameterSource[] Sources);

    /// <summary>What the output layer showed: Who (h×o, row-major) and where it came from. (bo belongs to the values:
    /// <see cref="StateValue.Bias"/>.)</summary>
    private sealed record OutputLayer(int OutputSize, float[] OutputWeights, OnnxParameterSource WeightsSource);

    private void Recurrent()
    {
        RequireCounts(3, 6, 2);
        List<string> known = ["activation_alpha", "activation_beta", "activations", "clip", "direction", "hidden_size"];
        if (_opset >= 14) known.Add("layout");
        CheckAttributes([.. known]);
        foreach (string unsupported in (string[])["activation_alpha", "activation_beta", "clip"])
        {
            if (FindAttribute(unsupported) is not null)
            {
                throw Fail(OnnxModelProblem.UnsupportedAttribute, $"unsupported attribute: {unsupported}; an Elman RNN with tanh neither clips nor scales its activation.");
            }
        }

        AttributeProto? direction = FindAttribute("direction");
        string directionName = direction is null ? "forward" : Attribute(direction, AttributeProto.Types.AttributeType.String).S.ToStringUtf8();
        if (directionName != "forward")
        {
            throw Fail(OnnxModelProblem.UnsupportedAttribute, $"unsupported attribute: direction '{directionName}'; only 'forward' is supported.");
        }

        AttributeProto? activations = FindAttribute("activations");
        if (activations is not null)
        {
            string[] names = [.. Attribute(activations, AttributeProto.Types.AttributeType.Strings).Strings.Select(s => s.ToStringUtf8())];
            if (names is not [var name] || !name.Equals("Tanh", StringComparison.OrdinalIgnoreCase))
            {
                throw Fail(OnnxModelProblem.UnsupportedAttribute, $"unsupported attribute: activations [{string.Join(", ", names)}]; only [Tanh] is supported.");
            }
        }

        long layout = IntAttribute("layout", 0);
        if (layout is not (0 or 1)) throw Fail(OnnxModelProblem.UnsupportedAttribute, $"unsupported attribute: layout {layout}; it is 0 or 1.");

        // X: a graph input whose axes, as the RNN reads them, are [T, n, d] (layout 0) or [n, T, d] (layout 1).
        GraphValue xValue = Required(0, "input X");
        if (xValue is not InputValue x)
        {
            throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: its input X is {Kind(xValue)}; it must be a graph input (possibly transposed).");
        }

        if (x.Axes.Length != 3) throw Fail(OnnxModelProblem.WrongShape, $"wrong shape: its input X '{x.InputName}' has rank {x.Axes.Length}; the RNN reads rank 3.", x.InputName);
        int timeAxis = layout == 0 ? x.Axes[0] : x.Axes[1], batchAxis = layout == 0 ? x.Axes[1] : x.Axes[0];
        ValueInfoProto xInfo = _graphInputs[x.InputName];
        long?[] xDimensions = DeclaredTensor(xInfo, "graph input", 3);

        (ConstantValue wTensor, float[] w) = FloatConstant(1, "W");
        long[] wShape = OnnxTensorData.Dimensions(wTensor.Tensor);
        if (wShape is not [1, >= 1, >= 1])
        {
            throw Fail(OnnxModelProblem.WrongShape, $"wrong shape: W {wTensor.Describe()} is {OnnxErrors.Shape(wShape)}; [1, h, d] (one direction) was expected.", wTensor.TensorName);
        }

        int h = (int)wShape[1], d = (int)wShape[2];
        long hiddenSize = IntAttribute("hidden_size", h);
        if (hiddenSize != h) throw Fail(OnnxModelProblem.WrongShape, $"wrong shape: hidden_size is {hiddenSize}, but W {wTensor.Describe()} is {OnnxErrors.Shape(wShape)}.", wTensor.TensorName);
        if (xDimensions[2] is long declaredD && declaredD != d)
        {
            throw Fail(OnnxModelProblem.WrongShape, $"wrong shape: graph input '{x.InputName}' declares {declaredD} features, but W {OnnxErrors.Shape(wShape)} reads d = {d}.", x.InputName);
        }

        (ConstantValue rTensor, float[] r) = FloatConstant(2, "R");
        RequireShape(rTensor, [1, h, h], "[1, h, h]");

        float[] biases = new float[h];
        OnnxParameterSource biasSource = new("bh", null, [], "zeros (the RNN node has no B)");
        if (Optional(3) is not null)
        {
            (ConstantValue bTensor, float[] b) = FloatConstant(3, "B");
            RequireShape(bTensor, [1, 2 * h], "[1, 2h]");
            for (int j = 0; j < h; j++)
            {
                // Wb + Rb, but Wb's own bits when Rb is zero: −0 + 0 would give +0, and bit-exact round trips keep −0.
                biases[j] = b[h + j] == 0 ? b[j] : b[j] + b[h + j];
            }

            biasSource = Source("bh", bTensor, "Wb + Rb (B[0, 0:h] + B[0, h:2h], one float addition)");
        }

        int? fixedT = Fixed(xDimensions[timeAxis]), fixedN = Fixed(xDimensions[batchAxis]);
        if (Optional(4) is not null)
        {
            (long[] lengths, _) = IntegerConstant(4, "sequence_lens");
            if (fixedT is null || lengths.Any(length => length != fixedT))
            {
                throw Fail(OnnxModelProblem.UnsupportedGraph,
                    $"unsupported graph: sequence_lens [{string.Join(", ", lengths)}] must equal T for every sequence, and T must be fixed by the input's declared shape (it is {(fixedT is null ? "symbolic" : fixedT.ToString())}).");
            }
        }

        (OnnxInitialState initialState, string? initialHidden) = InitialState(layout, h, x, batchAxis, fixedN);

        var wxh = new float[d * h];
        for (int j = 0; j < h; j++)
        {
            for (int i = 0; i < d; i++) wxh[i * h + j] = w[j * d + i];
        }

        var whh = new float[h * h];
        for (int j = 0; j < h; j++)
        {
            for (int k = 0; k < h; k++) whh[k * h + j] = r[j * h + k];
        }

        _rnn = new RecurrentLayer(_node.Name, d, h, x.InputName, timeAxis, batchAxis, fixedT, fixedN, wxh, whh, biases,
            initialState, initialHidden,
            [Source("Wxh", wTensor, "W[0] transposed (Wxh[i, j] = W[0, j, i])"), Source("Whh", rTensor, "R[0] transposed (Whh[k, j] = R[0, j, k])"), biasSource]);

        OnnxAxis[] everyStep = layout == 0
            ? [OnnxAxis.Time, OnnxAxis.Direction, OnnxAxis.Batch, OnnxAxis.Feature]
            : [OnnxAxis.Batch, OnnxAxis.Time, OnnxAxis.Direction, OnnxAxis.Feature];
        OnnxAxis[] lastStep = layout == 0
            ? [OnnxAxis.Direction, OnnxAxis.Batch, OnnxAxis.Feature]
            : [OnnxAxis.Batch, OnnxAxis.Direction, OnnxAxis.Feature];
        Define(0, new StateValue(StateStage.Hidden, everyStep, everyStep: true, rearrangedBy: null));
        if (_node.Output.Count > 1) Define(1, new StateValue(StateStage.Hidden, lastStep, everyStep: false, rearrangedBy: null));
    }

    /// <summary>initial_h: absent, zeros built from the batch size, a constant of zeros, or a graph input.</summary>
    private (OnnxInitialState State, string? Input) InitialState(long layout, int h, InputValue x, int batchAxis, int? fixedN)
    {
        GraphValue? value = Optional(5);
        int batchPosition = layout == 0 ? 1 : 0, directionPosition = 1 - batchPosition;
        string expected = layout == 0 ? "[1, n, h]" : "[n, 1, h]";
        switch (value)
        {
            case null:
                return (OnnxInitialState.Zero, null);

            case ZeroStateValue zeros:
            {
                SymbolicInteger[] dims = zeros.Dimensions;
                bool batchMatches = dims.Length == 3 && (dims[batchPosition].IsKnown
                    ? dims[batchPosition].Value == fixedN
                    : dims[batchPosition].InputName == x.InputName && dims[batchPosition].InputAxis == batchAxis);
                if (!batchMatches || dims[directionPosition] != SymbolicInteger.Known(1) || dims[2] != SymbolicInteger.Known(h))
                {
                    throw Fail(OnnxModelProblem.UnsupportedGraph,
                        $"unsupported graph: its initial_h is a zero tensor of shape [{string.Join(", ", dims)}]; {expected} with n the batch axis of '{x.InputName}' (axis {batchAxis}) was expected.");
                }

                return (OnnxInitialState.ZeroFromBatchSize, null);
            }

            case ConstantValue:
            {
                (ConstantValue constant, float[] values) = FloatConstant(5, "initial_h");
                long[] shape = OnnxTensorData.Dimensions(constant.Tensor);
                if (shape.Length != 3 || shape[directionPosition] != 1 || shape[2] != h || (fixedN is int n && shape[batchPosition] != n))
                {
                    throw Fail(OnnxModelProblem.WrongShape, $"wrong shape: initial_h {constant.Describe()} is {OnnxErrors.Shape(shape)}; {expected} was expected.", constant.TensorName);
                }

                if (values.Any(v => v != 0))
                {
                    throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: initial_h {constant.Describe()} is a non-zero constant; the initial state must be zero or a graph input.", constant.TensorName);
                }

                return (OnnxInitialState.ZeroConstant, null);
            }

            case InputValue input:
            {
                if (input.InputName == x.InputName || !input.Axes.SequenceEqual([0, 1, 2]))
                {
                    throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: its initial_h must be a graph input of its own, {expected}, not transposed.", input.InputName);
                }

                long?[] dims = DeclaredTensor(_graphInputs[input.InputName], "graph input", 3);
                if (dims[directionPosition] is long direction && direction != 1 || dims[2] is long hidden && hidden != h)
                {
                    throw Fail(OnnxModelProblem.WrongShape, $"wrong shape: graph input '{input.InputName}' (initial_h) is declared [{string.Join(", ", dims.Select(v => v?.ToString() ?? "?"))}]; {expected} with h = {h} was expected.", input.InputName);
                }

                return (OnnxInitialState.GraphInput, input.InputName);
            }

            default:
                throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: its initial_h is {Kind(value)}; it must be zero or a graph input.");
        }
    }

    private void Gemm()
    {
        RequireCounts(2, 3, 1);
        CheckAttributes("alpha", "beta", "transA", "transB");
        StateValue a = OutputLayerInput();
        bool transA = IntAttribute("transA", 0) != 0, transB = IntAttribute("transB", 0) != 0;
        OnnxAxis[] axes = transA ? [.. a.Axes.Reverse()] : a.Axes;
        if (axes is not [OnnxAxis.Batch, OnnxAxis.Feature])
        {
            throw Fail(OnnxModelProblem.UnsupportedGraph,
                $"unsupported graph: Gemm's A is the hidden state {a.AxesText()}{(transA ? " (transA = 1)" : "")}{Rearranged(a)}; [n, h] was expected.");
        }

        int h = _rnn!.HiddenSize;
        (ConstantValue bTensor, float[] b) = FloatConstant(1, "B");
        long[] bShape = OnnxTensorData.Dimensions(bTensor.Tensor);
        long[] effective = transB && bShape.Length == 2 ? [bShape[1], bShape[0]] : bShape;
        if (effective is not [var rows, >= 1] || rows != h)
        {
            throw Fail(OnnxModelProblem.WrongShape, $"wrong shape: Gemm's B {bTensor.Describe()} is {OnnxErrors.Shape(bShape)}{(transB ? " (transB = 1)" : "")}; it must give an [h, o] matrix with h = {h}.", bTensor.TensorName);
        }

        int o = (int)effective[1];
        float alpha = FloatAttribute("alpha", 1), beta = FloatAttribute("beta", 1);
        var who = new float[h * o];
        for (int j = 0; j < h; j++)
        {
            for (int k = 0; k < o; k++)
            {
                float value = transB ? b[k * h + j] : b[j * o + k];
                who[j * o + k] = alpha == 1 ? value : alpha * value;
            }
        }

        string scaled = alpha == 1 ? "" : $", times alpha = {alpha} (one float rounding)";
        _head = new OutputLayer(o, who, Source("Who", bTensor, (transB ? "Gemm's B transposed (transB = 1)" : "Gemm's B") + scaled));
        var bias = new OutputBias(new float[o], new OnnxParameterSource("bo", null, [], "zeros (Gemm has no C)"));
        if (Optional(2) is not null)
        {
            (ConstantValue cTensor, float[] c) = FloatConstant(2, "C");
            long[] cShape = OnnxTensorData.Dimensions(cTensor.Tensor);
            if (cShape.Length > 2 || (cShape.Length == 2 && cShape[0] != 1))
            {
                throw Fail(OnnxModelProblem.WrongShape, $"wrong shape: Gemm's C {cTensor.Describe()} is {OnnxErrors.Shape(cShape)}; [o], [1, o] or a single value was expected (the same bias for every sequence).", cTensor.TensorName);
            }

            bias = new OutputBias(BiasValues(cTensor, c, o, beta),
                Source("bo", cTensor, "Gemm's C" + (beta == 1 ? "" : $", times beta = {beta} (one float rounding)") + (c.Length == 1 && o > 1 ? ", broadcast" : "")));
        }

        Define(0, a.With(StateStage.LinearWithBias, [OnnxAxis.Batch, OnnxAxis.Feature], bias));
    }

    private void MatMul()
    {
        RequireCounts(2, 2, 1);
        CheckAttributes();
        if (Required(1, "B") is StateValue) throw Fail(OnnxModelProblem.UnsupportedGraph, "unsupported graph: the hidden state must be MatMul's first operand.");
        StateValue a = OutputLayerInput();
        if (a.Axes[^1] != OnnxAxis.Feature)
        {
            throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: MatMul's A is the hidden state {a.AxesText()}{Rearranged(a)}; its features must be the last axis.");
        }

        int h = _rnn!.HiddenSize;
        (ConstantValue bTensor, float[] b) = FloatConstant(1, "B");
        long[] bShape = OnnxTensorData.Dimensions(bTensor.Tensor);
        if (bShape is not [var rows, >= 1] || rows != h)
        {
            throw Fail(OnnxModelProblem.WrongShape, $"wrong shape: MatMul's B {bTensor.Describe()} is {OnnxErrors.Shape(bShape)}; [h, o] with h = {h} was expected.", bTensor.TensorName);
        }

        int o = (int)bShape[1];
        _head = new OutputLayer(o, b, Source("Who", bTensor, "MatMul's B, as it is ([h, o])"));
        Define(0, a.With(StateStage.Linear, a.Axes));
    }

    private void Add()
    {
        RequireCounts(2, 2, 1);
        CheckAttributes();
        GraphValue first = Required(0, "A"), second = Required(1, "B");
        (StateValue? state, int constantIndex) = first is StateValue s1 ? (s1, 1) : second is StateValue s2 ? (s2, 0) : (null, -1);
        if (state is null)
        {
            throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: Add of {Kind(first)} and {Kind(second)}; it is supported only to add the output layer's bias to MatMul's result.");
        }

        if (state.Stage != StateStage.Linear)
        {
            throw Fail(OnnxModelProblem.UnsupportedGraph, state.Stage == StateStage.Hidden
                ? $"unsupported graph: Add on the hidden state {state.AxesText()}; only the output layer's bias may be added, after its MatMul."
                : $"unsupported graph: a second bias added to the output {state.AxesText()}.");
        }

        if (state.Axes[^1] != OnnxAxis.Feature)
        {
            throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: the bias is added to {state.AxesText()}{Rearranged(state)}, whose features are not the last axis.");
        }

        int o = _head!.OutputSize;
        (ConstantValue cTensor, float[] c) = FloatConstant(constantIndex, "bias");
        long[] shape = OnnxTensorData.Dimensions(cTensor.Tensor);
        if (shape.Length > state.Axes.Length || shape.Take(Math.Max(0, shape.Length - 1)).Any(dimension => dimension != 1) || (shape.Length > 0 && shape[^1] != 1 && shape[^1] != o))
        {
            throw Fail(OnnxModelProblem.WrongShape, $"wrong shape: the bias {cTensor.Describe()} is {OnnxErrors.Shape(shape)}; [o] (or 1s and then o) with o = {o} was expected.", cTensor.TensorName);
        }

        var bias = new OutputBias(BiasValues(cTensor, c, o, beta: 1),
            Source("bo", cTensor, $"Add's {(constantIndex == 0 ? "first" : "second")} operand" + (c.Length == 1 && o > 1 ? ", broadcast" : "")));
        Define(0, state.With(StateStage.LinearWithBias, state.Axes, bias));
    }

    /// <summary>The output layer's input: the hidden state, and this must be the graph's only output layer.</summary>
    private StateValue OutputLayerInput()
    {
        GraphValue value = Required(0, "A");
        if (_head is not null || value is StateValue { Stage: not StateStage.Hidden })
        {
            throw Fail(OnnxModelProblem.UnsupportedGraph, "unsupported graph: a second output layer; only one Gemm or MatMul may follow the RNN.");
        }

        return value as StateValue ?? throw Fail(OnnxModelProblem.UnsupportedGraph,
            $"unsupported graph: {_node.OpType} of {Kind(value)}; an output layer must read the RNN's hidden state.");
    }

    /// <summary>bo from a bias tensor of o elements, or of one element broadcast, times beta (its shape checked by the caller).</summary>
    private float[] BiasValues(ConstantValue tensor, float[] values, int o, float beta)
    {
        if (values.Length != o && values.Length != 1)
        {
            throw Fail(OnnxModelProblem.WrongShape, $"wrong shape: the bias {tensor.Describe()} is {OnnxErrors.Shape(tensor.Tensor.Dims)}; o = {o} values (or one, broadcast) were expected.", tensor.TensorName);
        }

        var bo = new float[o];
        for (int k = 0; k < o; k++)
        {
            float value = values[values.Length == 1 ? 0 : k];
            bo[k] = beta == 1 ? value : beta * value;
        }

        return bo;
    }

    private void RequireShape(ConstantValue tensor, long[] expected, string symbolic)
    {
        long[] shape = OnnxTensorData.Dimensions(tensor.Tensor);
        if (!shape.SequenceEqual(expected))
        {
            throw Fail(OnnxModelProblem.WrongShape, $"wrong shape: {tensor.Describe()} is {OnnxErrors.Shape(shape)}; {symbolic} = {OnnxErrors.Shape(expected)} was expected.", tensor.TensorName);
        }
    }

    private static OnnxParameterSource Source(string parameter, ConstantValue tensor, string mapping) =>
        new(parameter, tensor.TensorName, OnnxTensorData.Dimensions(tensor.Tensor),
            tensor.ConstantNode is null ? mapping : $"{mapping}; from Constant node '{tensor.ConstantNode}'");

    private static string Rearranged(StateValue state) => state.RearrangedBy is null ? "" : $" (after {state.RearrangedBy})";

    private static int? Fixed(long? dimension) => dimension is long value and > 0 and <= int.MaxValue ? (int)value : null;

    /// <summary>
    /// A graph input's or output's declared dimensions (null where symbolic or unknown), after checking it is a float32
    /// tensor of rank <paramref name="rank"/> when it declares a type and shape.
    /// </summary>
    private long?[] DeclaredTensor(ValueInfoProto info, string what, int rank)
    {
        TypeProto.Types.Tensor? tensor = info.Type?.TensorType;
        if (info.Type is not null && tensor is null)
        {
            throw OnnxErrors.Tensor(_path, $"{what} '{info.Name}'", info.Name, OnnxModelProblem.WrongDataType, "wrong data type: it is not a tensor.");
        }

        if (tensor is not null && tensor.HasElemType && tensor.ElemType != OnnxTensorData.Float)
        {
            throw OnnxErrors.Tensor(_path, $"{what} '{info.Name}'", info.Name, OnnxModelProblem.WrongDataType,
                $"wrong data type: expected float32, found {OnnxTensorData.TypeName(tensor.ElemType)}.");
        }

        if (tensor?.Shape is not TensorShapeProto shape) return new long?[rank];
        if (shape.Dim.Count != rank)
        {
            throw OnnxErrors.Tensor(_path, $"{what} '{info.Name}'", info.Name, OnnxModelProblem.WrongShape, $"wrong shape: it is declared with rank {shape.Dim.Count}; {rank} was expected.");
        }

        return [.. shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : (long?)null)];
    }

    // ----- the end: outputs, inputs, and the model -----

    private OnnxImportResult Assemble()
    {
        RecurrentLayer rnn = _rnn!;
        var outputs = new List<(ValueInfoProto Info, StateValue Value)>();
        foreach (ValueInfoProto output in _graph.Output)
        {
            if (!_values.TryGetValue(output.Name, out GraphValue? value))
            {
                throw OnnxErrors.Tensor(_path, $"graph output '{output.Name}'", output.Name, OnnxModelProblem.MissingValue, "missing value: no node computes it.");
            }

            if (value is not StateValue state)
            {
                throw OnnxErrors.Tensor(_path, $"graph output '{output.Name}'", output.Name, OnnxModelProblem.UnsupportedGraph,
                    $"unsupported graph: it is {Kind(value)}, not a result of the RNN.");
            }

            outputs.Add((output, state));
        }

        var results = outputs.Where(o => o.Value.Stage != StateStage.Hidden).ToList();
        if (results.Count > 1 || (_head is not null && results.Count == 0) || outputs.Count == 0)
        {
            string problem = outputs.Count == 0 ? "the graph has no output"
                : results.Count == 0 ? "no graph output is the output layer's result"
                : "more than one graph output comes from the output layer";
            throw OnnxErrors.File(_path, OnnxModelProblem.UnsupportedGraph, $"unsupported graph: {problem}.");
        }

        (ValueInfoProto Info, StateValue Value) modelOutput = results.Count == 1 ? results[0] : outputs[0];
        OnnxAxis[] essential = [.. modelOutput.Value.Axes.Where(a => a is OnnxAxis.Time or OnnxAxis.Batch or OnnxAxis.Feature)];
        bool valid = modelOutput.Value.EveryStep
            ? essential is [OnnxAxis.Time, OnnxAxis.Batch, OnnxAxis.Feature] or [OnnxAxis.Batch, OnnxAxis.Time, OnnxAxis.Feature]
            : essential is [OnnxAxis.Batch, OnnxAxis.Feature];
        if (!valid)
        {
            string name = modelOutput.Info.Name;
            throw OnnxErrors.Tensor(_path, $"graph output '{name}'", name, OnnxModelProblem.UnsupportedGraph,
                $"unsupported graph: it has axes {modelOutput.Value.AxesText()}{Rearranged(modelOutput.Value)}; the output must be [n, features], [T, n, features] or [n, T, features] (size-1 axes aside).");
        }

        var graphOutputs = new List<OnnxGraphOutput>();
        foreach ((ValueInfoProto info, StateValue value) in outputs)
        {
            bool isModelOutput = ReferenceEquals(info, modelOutput.Info);
            long?[] declared = DeclaredTensor(info, "graph output", value.Axes.Length);
            for (int i = 0; i < declared.Length; i++)
            {
                long? size = value.Axes[i] switch
                {
                    OnnxAxis.Feature => value.Stage == StateStage.Hidden ? rnn.HiddenSize : _head!.OutputSize,
                    OnnxAxis.Direction or OnnxAxis.Unit => 1,
                    _ => null,
                };
                if (declared[i] is long found && size is long expected && found != expected)
                {
                    throw OnnxErrors.Tensor(_path, $"graph output '{info.Name}'", info.Name, OnnxModelProblem.WrongShape,
                        $"wrong shape: axis {i} is declared {found}, but the graph computes {value.AxesText()} there with size {expected}.");
                }
            }

            graphOutputs.Add(new OnnxGraphOutput(info.Name, isModelOutput ? OnnxOutputRole.ModelOutput : OnnxOutputRole.HiddenState,
                value.EveryStep ? OutputSteps.EveryStep : OutputSteps.LastStep, value.Axes));
        }

        foreach (string input in _graphInputs.Keys)
        {
            if (input != rnn.InputName && input != rnn.InitialHiddenInput)
            {
                throw OnnxErrors.Tensor(_path, $"graph input '{input}'", input, OnnxModelProblem.UnsupportedGraph,
                    $"unsupported graph: it is neither the RNN's input X ('{rnn.InputName}') nor its initial state.");
            }
        }

        int d = rnn.InputSize, h = rnn.HiddenSize, o = _head?.OutputSize ?? h;
        Int128 count = (Int128)d * h + (Int128)h * h + h + (Int128)h * o + o;
        if (count > RnnShape.MaxParameterCount)
        {
            throw OnnxErrors.File(_path, OnnxModelProblem.TooLarge, $"too large: the model d={d}, h={h}, o={o} needs {count} parameters; one model holds at most {RnnShape.MaxParameterCount}.");
        }

        var shape = new RnnShape(d, h, o);
        var parameters = new float[shape.ParameterCount];
        rnn.InputWeights.CopyTo(shape.Wxh(parameters));
        rnn.RecurrentWeights.CopyTo(shape.Whh(parameters));
        rnn.Biases.CopyTo(shape.Bh(parameters));
        OnnxParameterSource weightsSource, biasSource;
        if (_head is not null)
        {
            OutputBias bias = modelOutput.Value.Bias ?? new OutputBias(new float[o], new OnnxParameterSource("bo", null, [], "zeros (the MatMul's result has no Add)"));
            _head.OutputWeights.CopyTo(shape.Who(parameters));
            bias.Values.CopyTo(shape.Bo(parameters));
            weightsSource = _head.WeightsSource;
            biasSource = bias.Source;
        }
        else
        {
            Span<float> who = shape.Who(parameters);
            for (int j = 0; j < h; j++) who[j * h + j] = 1;
            weightsSource = new OnnxParameterSource("Who", null, [], "the h×h identity (the graph has no output layer: O = H)");
            biasSource = new OnnxParameterSource("bo", null, [], "zeros (the graph has no output layer)");
        }

        var file = new OnnxFileInfo(_model.IrVersion, _opset, _model.ProducerName, _model.ProducerVersion);
        OnnxSequenceLayout inputLayout = rnn.TimeAxis == 0 ? OnnxSequenceLayout.TimeMajor : OnnxSequenceLayout.BatchMajor;
        return new OnnxImportResult(new RnnModel(shape, parameters), file, rnn.NodeName, rnn.InputName, inputLayout,
            rnn.FixedSequenceLength, rnn.FixedBatchSize, rnn.InitialState, rnn.InitialHiddenInput, _head is not null,
            graphOutputs, [.. rnn.Sources, weightsSource, biasSource]);
    }
}
