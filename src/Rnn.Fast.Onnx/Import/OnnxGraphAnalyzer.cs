using System.Globalization;
using Rnn.Fast.Onnx.Protobuf;

namespace Rnn.Fast.Onnx.Import;

/// <summary>
/// Turns a parsed ONNX model into an <see cref="OnnxImportResult"/>, or refuses it. It walks the nodes in their
/// (topological) order and gives every value a symbolic meaning: a constant, shape arithmetic on a graph input, a
/// graph input with permuted axes, the zero state, or a value derived from the RNN's outputs with the meaning of each
/// of its axes. Each node must turn the meanings of its inputs into a meaning this class knows; any other node is an
/// error naming it. At the end the graph's outputs must be such values, and the graph's inputs exactly X and perhaps
/// H_0. So a graph is accepted only when it provably computes the Elman RNN the returned model computes.
/// </summary>
internal sealed partial class OnnxGraphAnalyzer
{
    /// <summary>The oldest standard opset read: RNN's version 7 is the oldest one ONNX Runtime implements.</summary>
    public const int MinimumOpset = 7;

    /// <summary>The newest standard opset read. Every operator accepted here keeps its meaning up to this version
    /// (later versions of these operators only added element types).</summary>
    public const int MaximumOpset = 23;

    private static readonly string[] RecurrentOperators = ["RNN", "LSTM", "GRU"];

    private readonly string? _path;
    private readonly ModelProto _model;
    private readonly GraphProto _graph;
    private readonly int _opset;
    private readonly Dictionary<string, GraphValue> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ValueInfoProto> _graphInputs = new(StringComparer.Ordinal);

    // The node being analysed, for messages.
    private NodeProto _node = null!;
    private int _nodeIndex;

    // What the RNN node showed.
    private RecurrentLayer? _rnn;

    // What the output layer showed.
    private OutputLayer? _head;

    private OnnxGraphAnalyzer(ModelProto model, string? path)
    {
        _model = model;
        _path = path;
        _graph = model.Graph ?? throw OnnxErrors.File(path, OnnxModelProblem.Malformed, "malformed: the model has no graph.");
        _opset = FindOpset();
    }

    /// <summary>Analyses <paramref name="model"/> (read from <paramref name="path"/>, if any).</summary>
    public static OnnxImportResult Analyze(ModelProto model, string? path) => new OnnxGraphAnalyzer(model, path).Run();

    private OnnxImportResult Run()
    {
        CheckRecurrentNodes();
        DefineInitializersAndInputs();
        for (int i = 0; i < _graph.Node.Count; i++)
        {
            _node = _graph.Node[i];
            _nodeIndex = i;
            AnalyzeNode();
        }

        return Assemble();
    }

    private int FindOpset()
    {
        long? version = null;
        foreach (OperatorSetIdProto set in _model.OpsetImport)
        {
            if (set.Domain is not ("" or "ai.onnx")) continue;
            if (version is not null)
            {
                throw OnnxErrors.File(_path, OnnxModelProblem.Malformed, "malformed: the model imports the standard operator set twice.");
            }

            version = set.Version;
        }

        if (version is null)
        {
            throw OnnxErrors.File(_path, OnnxModelProblem.UnsupportedOpset,
                "unsupported opset: the model imports no version of the standard operator set (domain '' or 'ai.onnx').");
        }

        if (version < MinimumOpset || version > MaximumOpset)
        {
            throw OnnxErrors.File(_path, OnnxModelProblem.UnsupportedOpset,
                $"unsupported opset: the model uses opset {version} of the standard operators; opsets {MinimumOpset} to {MaximumOpset} are supported.");
        }

        return (int)version;
    }

    /// <summary>
    /// Before anything else: LSTM and GRU are refused by name, and the graph must hold exactly one RNN node (two
    /// would be stacked layers or parallel RNNs), so those graphs get the error that says what they are.
    /// </summary>
    private void CheckRecurrentNodes()
    {
        int first = -1;
        for (int i = 0; i < _graph.Node.Count; i++)
        {
            NodeProto node = _graph.Node[i];
            if (!IsStandardDomain(node) || !RecurrentOperators.Contains(node.OpType)) continue;
            if (node.OpType != "RNN")
            {
                throw OnnxErrors.Node(_path, node, i, OnnxModelProblem.UnsupportedOperator,
                    $"unsupported operator: {node.OpType} is not an Elman RNN; Rnn.Fast runs the ONNX RNN operator (tanh) only.");
            }

            if (first >= 0)
            {
                throw OnnxErrors.Node(_path, node, i, OnnxModelProblem.UnsupportedGraph,
                    $"unsupported graph: a second RNN node after {OnnxErrors.Describe(_graph.Node[first], first)}; only one recurrent layer is supported (num_layers = 1).");
            }

            first = i;
        }

        if (first < 0)
        {
            throw OnnxErrors.File(_path, OnnxModelProblem.UnsupportedGraph, "unsupported graph: the graph has no RNN node.");
        }
    }

    private void DefineInitializersAndInputs()
    {
        foreach (TensorProto initializer in _graph.Initializer)
        {
            DefineGraphValue(initializer.Name, "initializer", new ConstantValue(initializer, initializer.Name, constantNode: null));
        }

        foreach (SparseTensorProto sparse in _graph.SparseInitializer)
        {
            DefineGraphValue(sparse.Values?.Name ?? "", "sparse initializer", new SparseValue());
        }

        foreach (ValueInfoProto input in _graph.Input)
        {
            // An initializer listed among the inputs (older exporters do this) is its default value: a constant.
            if (_values.ContainsKey(input.Name) && !_graphInputs.ContainsKey(input.Name)) continue;
            int rank = input.Type?.TensorType?.Shape?.Dim.Count ?? 3;
            DefineGraphValue(input.Name, "graph input", new InputValue(input.Name, [.. Enumerable.Range(0, rank)]));
            _graphInputs.Add(input.Name, input);
        }
    }

    private void DefineGraphValue(string name, string what, GraphValue value)
    {
        if (name.Length == 0)
        {
            throw OnnxErrors.File(_path, OnnxModelProblem.Malformed, $"malformed: a {what} has no name.");
        }

        if (!_values.TryAdd(name, value))
        {
            throw OnnxErrors.Tensor(_path, $"{what} '{name}'", name, OnnxModelProblem.Malformed, "malformed: the name is defined twice.");
        }

        _producers[name] = what;
    }

    private static bool IsStandardDomain(NodeProto node) => node.Domain is "" or "ai.onnx";

    private void AnalyzeNode()
    {
        if (!IsStandardDomain(_node))
        {
            throw Fail(OnnxModelProblem.UnsupportedOperator, $"unsupported operator: '{_node.OpType}' of domain '{_node.Domain}'; only standard ONNX operators are supported.");
        }

        switch (_node.OpType)
        {
            case "Constant": Constant(); break;
            case "Identity": Identity(); break;
            case "Shape": Shape(); break;
            case "Gather": Gather(); break;
            case "Unsqueeze": Unsqueeze(); break;
            case "Squeeze": Squeeze(); break;
            case "Concat": Concat(); break;
            case "ConstantOfShape": ConstantOfShape(); break;
            case "Transpose": Transpose(); break;
            case "Reshape": Reshape(); break;
            case "RNN": Recurrent(); break;
            case "Gemm": Gemm(); break;
            case "MatMul": MatMul(); break;
            case "Add": Add(); break;
            default:
                throw Fail(OnnxModelProblem.UnsupportedOperator,
                    $"unsupported operator: {_node.OpType} is not part of an Elman RNN; the graph may hold one RNN, an output layer (Gemm, or MatMul and Add) and the plumbing around them (Constant, Identity, Shape, Gather, Unsqueeze, Squeeze, Concat, ConstantOfShape, Transpose, Reshape).");
        }
    }

    // ----- nodes that only move values around -----

    private void Constant()
    {
        RequireCounts(0, 0, 1);
        if (_node.Attribute.Count != 1)
        {
            throw Fail(OnnxModelProblem.UnsupportedAttribute, $"unsupported attribute: a Constant node needs exactly one value attribute, this one has {_node.Attribute.Count}.");
        }

        AttributeProto attribute = _node.Attribute[0];
        string output = _node.Output[0];
        TensorProto tensor = attribute.Name switch
        {
            "value" => Attribute(attribute, AttributeProto.Types.AttributeType.Tensor).T,
            "value_float" => new TensorProto { DataType = OnnxTensorData.Float, FloatData = { Attribute(attribute, AttributeProto.Types.AttributeType.Float).F } },
            "value_floats" => Vector(new TensorProto { DataType = OnnxTensorData.Float, FloatData = { Attribute(attribute, AttributeProto.Types.AttributeType.Floats).Floats } }, attribute.Floats.Count),
            "value_int" => new TensorProto { DataType = OnnxTensorData.Int64, Int64Data = { Attribute(attribute, AttributeProto.Types.AttributeType.Int).I } },
            "value_ints" => Vector(new TensorProto { DataType = OnnxTensorData.Int64, Int64Data = { Attribute(attribute, AttributeProto.Types.AttributeType.Ints).Ints } }, attribute.Ints.Count),
            _ => throw Fail(OnnxModelProblem.UnsupportedAttribute, $"unsupported attribute: a Constant's '{attribute.Name}'; only value, value_float(s) and value_int(s) are supported."),
        };
        Define(0, new ConstantValue(tensor, output, _node.Name));
    }

    private static TensorProto Vector(TensorProto tensor, int length)
    {
        tensor.Dims.Add(length);
        return tensor;
    }

    private void Identity()
    {
        RequireCounts(1, 1, 1);
        CheckAttributes();
        Define(0, Required(0, "input"));
    }

    private void Shape()
    {
        RequireCounts(1, 1, 1);
        CheckAttributes("start", "end");
        if (Required(0, "data") is not InputValue input)
        {
            throw Fail(OnnxModelProblem.UnsupportedGraph, "unsupported graph: Shape is supported on a graph input only (to build the zero initial state from the batch size).");
        }

        int rank = input.Axes.Length;
        int start = ClampAxis(IntAttribute("start", 0), rank), end = ClampAxis(IntAttribute("end", rank), rank);
        SymbolicInteger[] items = [.. input.Axes.Skip(start).Take(Math.Max(0, end - start)).Select(a => SymbolicInteger.AxisOf(input.InputName, a))];
        Define(0, new IntegerValue(items, isScalar: false));
    }

    private static int ClampAxis(long axis, int rank) => (int)Math.Clamp(axis < 0 ? axis + rank : axis, 0, rank);

    private void Gather()
    {
        RequireCounts(2, 2, 1);
        CheckAttributes("axis");
        GraphValue data = Required(0, "data");
        (long[] indices, bool scalarIndex) = IntegerConstant(1, "indices");
        long axisAttribute = IntAttribute("axis", 0);
        switch (data)
        {
            case IntegerValue shape when !shape.IsScalar:
            {
                if (NormalizeAxis(axisAttribute, 1) != 0) throw Fail(OnnxModelProblem.UnsupportedAttribute, $"unsupported attribute: axis {axisAttribute} of a 1-D shape.");
                var items = new SymbolicInteger[indices.Length];
                for (int i = 0; i < indices.Length; i++)
                {
                    long index = indices[i] < 0 ? indices[i] + shape.Items.Length : indices[i];
                    if (index < 0 || index >= shape.Items.Length)
                    {
                        throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: index {indices[i]} is outside a shape of {shape.Items.Length} elements.");
                    }

                    items[i] = shape.Items[index];
                }

                Define(0, new IntegerValue(items, scalarIndex));
                break;
            }

            case StateValue state:
            {
                int axis = NormalizeAxis(axisAttribute, state.Axes.Length);
                OnnxAxis meaning = state.Axes[axis];
                if (indices.Length != 1) throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: Gather of {indices.Length} indices on the {Name(meaning)} axis; only one index is supported.");
                long index = indices[0];
                bool unitAxis = meaning is OnnxAxis.Direction or OnnxAxis.Unit;
                bool lastStep = meaning == OnnxAxis.Time && index == -1;
                if (!(unitAxis && index is 0 or -1) && !lastStep)
                {
                    throw Fail(OnnxModelProblem.UnsupportedGraph,
                        $"unsupported graph: Gather of index {index} on the {Name(meaning)} axis of {state.AxesText()}; only index 0 of a size-1 axis, or index -1 of the time axis (the last step), is supported.");
                }

                OnnxAxis[] axes = scalarIndex ? [.. state.Axes.Where((_, i) => i != axis)] : lastStep ? Replace(state.Axes, axis, OnnxAxis.Unit) : state.Axes;
                Define(0, state.With(axes, state.EveryStep && !lastStep, rearrangedBy: null));
                break;
            }

            default:
                throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: Gather on {Kind(data)}; it is supported on shapes and to drop a size-1 axis of the hidden state or the output.");
        }
    }

    private static OnnxAxis[] Replace(OnnxAxis[] axes, int index, OnnxAxis value)
    {
        OnnxAxis[] copy = [.. axes];
        copy[index] = value;
        return copy;
    }

    private void Unsqueeze()
    {
        long[] axes = AxesOperand(required: true)!;
        GraphValue data = Required(0, "data");
        switch (data)
        {
            case IntegerValue scalar when scalar.IsScalar:
                if (axes is not ([0] or [-1])) throw Fail(OnnxModelProblem.UnsupportedAttribute, $"unsupported attribute: Unsqueeze of a scalar with axes [{string.Join(", ", axes)}].");
                Define(0, new IntegerValue(scalar.Items, isScalar: false));
                break;
            case StateValue state:
            {
                int rank = state.Axes.Length + axes.Length;
                var inserted = new SortedSet<int>(axes.Select(a => NormalizeAxis(a, rank)));
                if (inserted.Count != axes.Length) throw Fail(OnnxModelProblem.UnsupportedAttribute, "unsupported attribute: Unsqueeze with a repeated axis.");
                var result = new OnnxAxis[rank];
                for (int i = 0, source = 0; i < rank; i++) result[i] = inserted.Contains(i) ? OnnxAxis.Unit : state.Axes[source++];
                Define(0, state.With(result, state.EveryStep, rearrangedBy: null));
                break;
            }

            default:
                throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: Unsqueeze on {Kind(data)}; it is supported on shapes and on the hidden state or the output.");
        }
    }

    private void Squeeze()
    {
        long[]? axes = AxesOperand(required: false);
        GraphValue data = Required(0, "data");
        switch (data)
        {
            case IntegerValue vector when !vector.IsScalar && vector.Items.Length == 1 && (axes is null || axes is [0] or [-1]):
                Define(0, new IntegerValue(vector.Items, isScalar: true));
                break;
            case StateValue state:
            {
                if (axes is null)
                {
                    throw Fail(OnnxModelProblem.UnsupportedGraph,
                        $"unsupported graph: Squeeze without axes on {state.AxesText()} would also drop the time or batch axis whenever T or n is 1; give the axes.");
                }

                var removed = new HashSet<int>(axes.Select(a => NormalizeAxis(a, state.Axes.Length)));
                foreach (int axis in removed)
                {
                    if (state.Axes[axis] is not (OnnxAxis.Direction or OnnxAxis.Unit))
                    {
                        throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: Squeeze of the {Name(state.Axes[axis])} axis of {state.AxesText()}; only size-1 axes can be squeezed.");
                    }
                }

                Define(0, state.With([.. state.Axes.Where((_, i) => !removed.Contains(i))], state.EveryStep, rearrangedBy: null));
                break;
            }

            default:
                throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: Squeeze on {Kind(data)}; it is supported on shapes and on the hidden state or the output.");
        }
    }

    /// <summary>Squeeze's and Unsqueeze's axes: an attribute before opset 13, the second input from 13 on.</summary>
    private long[]? AxesOperand(bool required)
    {
        if (_opset < 13)
        {
            RequireCounts(1, 1, 1);
            CheckAttributes("axes");
            AttributeProto? axes = FindAttribute("axes");
            if (axes is null && required) throw Fail(OnnxModelProblem.UnsupportedAttribute, "unsupported attribute: the axes attribute is missing.");
            return axes is null ? null : [.. Attribute(axes, AttributeProto.Types.AttributeType.Ints).Ints];
        }

        RequireCounts(required ? 2 : 1, 2, 1);
        CheckAttributes();
        if (!HasInput(1)) return null;
        (long[] values, _) = IntegerConstant(1, "axes");
        return values;
    }

    private void Concat()
    {
        RequireCounts(1, int.MaxValue, 1);
        CheckAttributes("axis");
        long axis = IntAttribute("axis", 0, required: true);
        if (axis is not (0 or -1)) throw Fail(OnnxModelProblem.UnsupportedAttribute, $"unsupported attribute: axis {axis}; Concat is supported on 1-D shapes only.");
        var items = new List<SymbolicInteger>();
        for (int i = 0; i < _node.Input.Count; i++)
        {
            GraphValue part = Required(i, $"input {i}");
            if (part is IntegerValue vector && !vector.IsScalar)
            {
                items.AddRange(vector.Items);
            }
            else if (part is ConstantValue constant && constant.Tensor.Dims.Count == 1)
            {
                items.AddRange(IntegerConstant(i, $"input {i}").Values.Select(SymbolicInteger.Known));
            }
            else
            {
                throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: Concat of {Kind(part)}; it is supported on 1-D shapes only (to build the zero initial state).");
            }
        }

        Define(0, new IntegerValue([.. items], isScalar: false));
    }

    private void ConstantOfShape()
    {
        RequireCounts(1, 1, 1);
        CheckAttributes("value");
        GraphValue shapeValue = Required(0, "input");
        SymbolicInteger[] dimensions = shapeValue switch
        {
            IntegerValue vector when !vector.IsScalar => vector.Items,
            ConstantValue => [.. IntegerConstant(0, "input").Values.Select(SymbolicInteger.Known)],
            _ => throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: ConstantOfShape of {Kind(shapeValue)}."),
        };
        AttributeProto? value = FindAttribute("value");
        if (value is not null)
        {
            TensorProto tensor = Attribute(value, AttributeProto.Types.AttributeType.Tensor).T;
            float[] fill = OnnxTensorData.Floats(tensor, TensorFailure("value"));
            if (fill.Length != 1) throw Fail(OnnxModelProblem.WrongShape, $"wrong shape: the value attribute holds {fill.Length} elements; it must hold one.");
            if (fill[0] != 0)
            {
                throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: the tensor is filled with {fill[0].ToString(CultureInfo.InvariantCulture)}; only a zero initial state is supported.");
            }
        }

        Define(0, new ZeroStateValue(dimensions));
    }

    private void Transpose()
    {
        RequireCounts(1, 1, 1);
        CheckAttributes("perm");
        GraphValue data = Required(0, "data");
        int rank = data switch
        {
            InputValue input => input.Axes.Length,
            StateValue state => state.Axes.Length,
            _ => throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: Transpose of {Kind(data)}; it is supported on the input and on the hidden state or the output."),
        };
        AttributeProto? permAttribute = FindAttribute("perm");
        long[] perm = permAttribute is null ? [.. Enumerable.Range(0, rank).Reverse().Select(i => (long)i)] : [.. Attribute(permAttribute, AttributeProto.Types.AttributeType.Ints).Ints];
        if (perm.Length != rank || perm.Distinct().Count() != rank || perm.Any(p => p < 0 || p >= rank))
        {
            throw Fail(OnnxModelProblem.UnsupportedAttribute, $"unsupported attribute: perm [{string.Join(", ", perm)}] is not a permutation of {rank} axes.");
        }

        switch (data)
        {
            case InputValue input:
                int[] axes = [.. perm.Select(p => input.Axes[p])];
                if (axes[^1] != rank - 1)
                {
                    throw Fail(OnnxModelProblem.UnsupportedGraph,
                        $"unsupported graph: perm [{string.Join(", ", perm)}] moves the last axis of graph input '{input.InputName}' (its features); only the time and batch axes may be swapped.");
                }

                Define(0, new InputValue(input.InputName, axes));
                break;
            case StateValue state:
                Define(0, state.With([.. perm.Select(p => state.Axes[p])], state.EveryStep, OnnxErrors.Describe(_node, _nodeIndex)));
                break;
        }
    }

    private void Reshape()
    {
        RequireCounts(2, 2, 1);
        CheckAttributes("allowzero");
        if (Required(0, "data") is not StateValue state)
        {
            throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: Reshape of {Kind(Required(0, "data"))}; it is supported on the hidden state or the output.");
        }

        GraphValue shapeValue = Required(1, "shape");
        SymbolicInteger[] shape = shapeValue switch
        {
            IntegerValue vector when !vector.IsScalar => vector.Items,
            ConstantValue => [.. IntegerConstant(1, "shape").Values.Select(SymbolicInteger.Known)],
            _ => throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: the shape of Reshape is {Kind(shapeValue)}."),
        };
        bool allowZero = IntAttribute("allowzero", 0) != 0;
        Define(0, state.With(ReshapedAxes(state, shape, allowZero), state.EveryStep, OnnxErrors.Describe(_node, _nodeIndex)));
    }

    /// <summary>
    /// The axes after a Reshape that may only insert or remove size-1 axes: the time, batch and feature axes must come
    /// out in the same order, each matched by an entry of the new shape (0 copies the axis at that position, −1
    /// takes what remains, a number must be that axis's size, a symbolic size must be that very axis); every other
    /// entry must be 1.
    /// </summary>
    private OnnxAxis[] ReshapedAxes(StateValue state, SymbolicInteger[] shape, bool allowZero)
    {
        OnnxAxis[] sized = [.. state.Axes.Where(a => a is OnnxAxis.Time or OnnxAxis.Batch or OnnxAxis.Feature)];
        var result = new OnnxAxis[shape.Length];
        int next = 0, inferred = 0;
        for (int i = 0; i < shape.Length; i++)
        {
            SymbolicInteger entry = shape[i];
            OnnxAxis? wanted = next < sized.Length ? sized[next] : null;
            if (entry.IsKnown && entry.Value == 0 && !allowZero)
            {
                if (i >= state.Axes.Length) throw NotUnitReshape(state, shape);
                result[i] = state.Axes[i];
                if (state.Axes[i] is OnnxAxis.Direction or OnnxAxis.Unit) continue;
                if (state.Axes[i] != wanted) throw NotUnitReshape(state, shape);
                next++;
            }
            else if (entry.IsKnown && entry.Value == -1)
            {
                if (++inferred > 1) throw NotUnitReshape(state, shape);
                result[i] = wanted ?? OnnxAxis.Unit;
                if (wanted is not null) next++;
            }
            else if (wanted is OnnxAxis w && Matches(entry, w, state.Stage))
            {
                result[i] = w;
                next++;
            }
            else if (entry.IsKnown && entry.Value == 1)
            {
                result[i] = OnnxAxis.Unit;
            }
            else
            {
                throw NotUnitReshape(state, shape);
            }
        }

        if (next != sized.Length) throw NotUnitReshape(state, shape);
        return result;
    }

    /// <summary>Whether a Reshape entry is the size of the axis <paramref name="axis"/>.</summary>
    private bool Matches(SymbolicInteger entry, OnnxAxis axis, StateStage stage)
    {
        RecurrentLayer rnn = _rnn!;
        return axis switch
        {
            OnnxAxis.Feature => entry.IsKnown && entry.Value == (stage == StateStage.Hidden ? rnn.HiddenSize : _head!.OutputSize),
            OnnxAxis.Time => entry.IsKnown ? entry.Value == rnn.FixedSequenceLength : entry.InputName == rnn.InputName && entry.InputAxis == rnn.TimeAxis,
            OnnxAxis.Batch => entry.IsKnown ? entry.Value == rnn.FixedBatchSize : entry.InputName == rnn.InputName && entry.InputAxis == rnn.BatchAxis,
            _ => false,
        };
    }

    private InvalidOnnxModelException NotUnitReshape(StateValue state, SymbolicInteger[] shape) =>
        Fail(OnnxModelProblem.UnsupportedGraph,
            $"unsupported graph: Reshape of {state.AxesText()} to [{string.Join(", ", shape)}] does more than insert or remove size-1 axes; only that is supported.");

    // ----- helpers for inputs, outputs and attributes -----

    private bool HasInput(int index) => index < _node.Input.Count && _node.Input[index].Length > 0;

    private GraphValue? Optional(int index) => HasInput(index) ? Required(index, $"input {index}") : null;

    private GraphValue Required(int index, string role)
    {
        if (!HasInput(index)) throw Fail(OnnxModelProblem.Malformed, $"malformed: the {role} (input {index}) is missing.");
        string name = _node.Input[index];
        if (!_values.TryGetValue(name, out GraphValue? value))
        {
            throw Fail(OnnxModelProblem.MissingValue,
                $"missing value: its {role} '{name}' is not defined by an initializer, a graph input or an earlier node.", name);
        }

        if (value is SparseValue)
        {
            throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: its {role} '{name}' is a sparse initializer, which is not supported.", name);
        }

        return value;
    }

    private void Define(int output, GraphValue value)
    {
        string name = _node.Output[output];
        if (name.Length == 0) return;
        if (!_values.TryAdd(name, value))
        {
            throw Fail(OnnxModelProblem.Malformed, $"malformed: its output '{name}' is already defined by the {_producers[name]}.", name);
        }

        _producers[name] = OnnxErrors.Describe(_node, _nodeIndex);
    }

    private void RequireCounts(int minimumInputs, int maximumInputs, int outputs)
    {
        int inputs = _node.Input.Count;
        while (inputs > 0 && _node.Input[inputs - 1].Length == 0) inputs--;
        if (inputs < minimumInputs || inputs > maximumInputs)
        {
            string expected = minimumInputs == maximumInputs ? $"{minimumInputs}" : maximumInputs == int.MaxValue ? $"at least {minimumInputs}" : $"{minimumInputs} to {maximumInputs}";
            throw Fail(OnnxModelProblem.Malformed, $"malformed: {inputs} inputs; {_node.OpType} takes {expected}.");
        }

        if (_node.Output.Count < 1 || _node.Output.Count > outputs)
        {
            throw Fail(OnnxModelProblem.Malformed, $"malformed: {_node.Output.Count} outputs; {_node.OpType} has {(outputs == 1 ? "one" : $"1 to {outputs}")}.");
        }
    }

    /// <summary>Every attribute must be one of <paramref name="known"/>, each at most once.</summary>
    private void CheckAttributes(params string[] known)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (AttributeProto attribute in _node.Attribute)
        {
            if (!seen.Add(attribute.Name))
            {
                throw Fail(OnnxModelProblem.Malformed, $"malformed: the attribute '{attribute.Name}' is given twice.");
            }

            if (!known.Contains(attribute.Name))
            {
                throw Fail(OnnxModelProblem.UnsupportedAttribute, $"unsupported attribute: '{attribute.Name}' is not supported on {_node.OpType}.");
            }
        }
    }

    private AttributeProto? FindAttribute(string name) => _node.Attribute.FirstOrDefault(a => a.Name == name);

    private long IntAttribute(string name, long fallback, bool required = false)
    {
        AttributeProto? attribute = FindAttribute(name);
        if (attribute is null && required) throw Fail(OnnxModelProblem.UnsupportedAttribute, $"unsupported attribute: the required attribute '{name}' is missing.");
        return attribute is null ? fallback : Attribute(attribute, AttributeProto.Types.AttributeType.Int).I;
    }

    private float FloatAttribute(string name, float fallback)
    {
        AttributeProto? attribute = FindAttribute(name);
        return attribute is null ? fallback : Attribute(attribute, AttributeProto.Types.AttributeType.Float).F;
    }

    /// <summary>The attribute, checked to be of <paramref name="type"/> (from its type field, or from which field holds a
    /// value when the type field is absent, as in the oldest files).</summary>
    private AttributeProto Attribute(AttributeProto attribute, AttributeProto.Types.AttributeType type)
    {
        AttributeProto.Types.AttributeType actual = attribute.HasType && attribute.Type != AttributeProto.Types.AttributeType.Undefined
            ? attribute.Type
            : attribute.HasF ? AttributeProto.Types.AttributeType.Float
            : attribute.HasI ? AttributeProto.Types.AttributeType.Int
            : attribute.HasS ? AttributeProto.Types.AttributeType.String
            : attribute.T is not null ? AttributeProto.Types.AttributeType.Tensor
            : attribute.Floats.Count > 0 ? AttributeProto.Types.AttributeType.Floats
            : attribute.Ints.Count > 0 ? AttributeProto.Types.AttributeType.Ints
            : attribute.Strings.Count > 0 ? AttributeProto.Types.AttributeType.Strings
            : AttributeProto.Types.AttributeType.Undefined;
        if (actual != type || (type == AttributeProto.Types.AttributeType.Tensor && attribute.T is null))
        {
            throw Fail(OnnxModelProblem.UnsupportedAttribute, $"unsupported attribute: '{attribute.Name}' is of type {actual}; {type} was expected.");
        }

        return attribute;
    }

    /// <summary>An integer constant operand (int64 or int32): its values and whether it is a scalar.</summary>
    private (long[] Values, bool Scalar) IntegerConstant(int index, string role)
    {
        GraphValue value = Required(index, role);
        if (value is not ConstantValue constant)
        {
            throw Fail(OnnxModelProblem.UnsupportedGraph, $"unsupported graph: its {role} '{_node.Input[index]}' is computed at run time ({Kind(value)}); it must be a constant.", _node.Input[index]);
        }

        long[] values = OnnxTensorData.Integers(constant.Tensor, TensorFailure(role, constant));
        int rank = constant.Tensor.Dims.Count;
        if (rank > 1) throw Fail(OnnxModelProblem.WrongShape, $"wrong shape: its {role} {constant.Describe()} has shape {OnnxErrors.Shape(constant.Tensor.Dims)}; a scalar or a 1-D tensor was expected.", constant.TensorName);
        return (values, rank == 0);
    }

    /// <summary>A float constant operand: the tensor and its elements; <paramref name="role"/> names it in messages.</summary>
    private (ConstantValue Constant, float[] Values) FloatConstant(int index, string role)
    {
        GraphValue value = Required(index, role);
        if (value is not ConstantValue constant)
        {
            string name = _node.Input[index];
            string by = _producers.TryGetValue(name, out string? producer) ? $" by the {producer}" : "";
            throw Fail(OnnxModelProblem.UnsupportedGraph,
                $"unsupported graph: {role} '{name}' is computed at run time{by}; weights must be initializers or Constant nodes.", name);
        }

        return (constant, OnnxTensorData.Floats(constant.Tensor, TensorFailure(role, constant)));
    }

    private OnnxTensorData.Failure TensorFailure(string role, ConstantValue? constant = null) =>
        (problem, text) => Fail(problem, $"{role}{(constant is null ? "" : " " + constant.Describe())}: {text}", constant?.TensorName);

    private int NormalizeAxis(long axis, int rank)
    {
        long normalized = axis < 0 ? axis + rank : axis;
        if (normalized < 0 || normalized >= rank) throw Fail(OnnxModelProblem.UnsupportedAttribute, $"unsupported attribute: axis {axis} is outside a tensor of rank {rank}.");
        return (int)normalized;
    }

    private static string Name(OnnxAxis axis) => axis switch
    {
        OnnxAxis.Time => "time",
        OnnxAxis.Batch => "batch",
        OnnxAxis.Feature => "feature",
        OnnxAxis.Direction => "direction",
        _ => "size-1",
    };

    private static string Kind(GraphValue value) => value switch
    {
        ConstantValue constant => $"a constant ({constant.Describe()})",
        IntegerValue => "a shape",
        InputValue input => $"graph input '{input.InputName}'",
        ZeroStateValue => "a zero tensor",
        StateValue { Stage: StateStage.Hidden } state => $"the hidden state {state.AxesText()}",
        StateValue state => $"the output {state.AxesText()}",
        _ => "a value",
    };

    private InvalidOnnxModelException Fail(OnnxModelProblem problem, string text, string? tensorName = null) =>
        OnnxErrors.Node(_path, _node, _nodeIndex, problem, text, tensorName);
}
