using System.Globalization;

namespace EastBake.Compiler.Ir;

/// <summary>
/// A tensor flowing along an edge: output <see cref="Index"/> of <see cref="Producer"/>.
/// Named as TensorFlow names tensors: <c>node</c> for output 0, <c>node:i</c> otherwise.
/// </summary>
public sealed class Value
{
    internal Value(Node producer, int index)
    {
        Producer = producer;
        Index = index;
    }

    public Node Producer { get; internal set; }
    public int Index { get; internal set; }
    public string Name => Index == 0 ? Producer.Name : $"{Producer.Name}:{Index.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Element type; set by the importer and kept up to date by shape inference.</summary>
    public ElementType Type { get; set; } = ElementType.Float32;

    /// <summary>Shape, set by shape inference (unknown rank until then).</summary>
    public Shape Shape { get; set; } = Shape.UnknownRank;

    /// <summary>
    /// For small integer tensors that compute sizes (Shape → StridedSlice → Mul → Pack): the
    /// element values as dims, known or symbolic, set by shape inference. When every entry is
    /// known the value can fold to a Const; otherwise it stays symbolic (e.g. <c>[H/16*2, W/16*2]</c>).
    /// </summary>
    public Dim[]? SymbolicValue { get; set; }

    public override string ToString() => $"{Name}: {Type}{Shape}";
}

/// <summary>
/// One operation. Ops keep TensorFlow's names and attribute names (Conv2D, strides, padding…);
/// optimizer fusions add attributes documented in <see cref="Attr"/> names (e.g. a Conv2D with a
/// third bias input and <c>activation</c> = "Relu").
/// </summary>
public sealed class Node
{
    internal Node(string name, string op)
    {
        Name = name;
        Op = op;
    }

    public string Name { get; internal set; }
    public string Op { get; set; }
    public List<Value> Inputs { get; } = new();
    public List<Value> Outputs { get; } = new();
    public Dictionary<string, object> Attrs { get; } = new(StringComparer.Ordinal);

    /// <summary>TF node names this node was made from (fusions append), for traceability.</summary>
    public List<string> Origins { get; } = new();

    public Value Output => Outputs[0];

    public Value AddOutput(ElementType type = ElementType.Float32)
    {
        var v = new Value(this, Outputs.Count) { Type = type };
        Outputs.Add(v);
        return v;
    }

    public bool Has(string attr) => Attrs.ContainsKey(attr);

    public T Get<T>(string attr) => Attrs.TryGetValue(attr, out var v) && v is T t ? t
        : throw new Diagnostics.EastBakeException(Diagnostics.ErrorCodes.BadAttribute,
            $"{Op} node needs attribute '{attr}' of type {typeof(T).Name}" + (Attrs.TryGetValue(attr, out var o) ? $", has {o.GetType().Name}" : ""),
            node: Name);

    public T Get<T>(string attr, T fallback) => Attrs.TryGetValue(attr, out var v) && v is T t ? t : fallback;

    /// <summary>The constant held by a Const node (attribute <c>value</c>).</summary>
    public Tensor ConstValue => Get<Tensor>(Attr.Value);

    public bool IsConst => Op == Ops.Const;

    public override string ToString() => $"{Name} = {Op}({string.Join(", ", Inputs.Select(i => i.Name))})";
}

/// <summary>Attribute names used across the compiler. TF's own names, plus EastBake's fusion attributes.</summary>
public static class Attr
{
    public const string Value = "value";               // Const: Tensor
    public const string DType = "dtype";               // Placeholder/Const: ElementType
    public const string T = "T";                       // element type of most ops: ElementType
    public const string Shape = "shape";               // Placeholder: Shape
    public const string Strides = "strides";           // long[] (NHWC)
    public const string Padding = "padding";           // "SAME" | "VALID" | "EXPLICIT"
    public const string ExplicitPaddings = "explicit_paddings"; // long[8]: (before, after) per NHWC dim
    public const string Dilations = "dilations";       // long[]
    public const string DataFormat = "data_format";    // "NHWC" (only layout imported)
    public const string KSize = "ksize";               // pooling window, long[]
    public const string Epsilon = "epsilon";           // float
    public const string IsTraining = "is_training";    // bool
    public const string AlignCorners = "align_corners";
    public const string HalfPixelCenters = "half_pixel_centers";
    public const string Axis = "axis";                 // long (Pack, also resolved from inputs for ConcatV2/Split)
    public const string NumSplit = "num_split";
    public const string N = "N";
    public const string KeepDims = "keep_dims";
    public const string SqueezeDims = "squeeze_dims";
    public const string BeginMask = "begin_mask";
    public const string EndMask = "end_mask";
    public const string EllipsisMask = "ellipsis_mask";
    public const string NewAxisMask = "new_axis_mask";
    public const string ShrinkAxisMask = "shrink_axis_mask";
    public const string SrcT = "SrcT";
    public const string DstT = "DstT";
    public const string OutType = "out_type";

    // EastBake fusion attributes
    /// <summary>Fused activation after a Conv2D/Add: "Relu", "Relu6" or absent.</summary>
    public const string Activation = "activation";
}

/// <summary>Op names (TensorFlow's).</summary>
public static class Ops
{
    public const string Placeholder = "Placeholder";
    public const string Const = "Const";
    public const string Identity = "Identity";
    public const string Conv2D = "Conv2D";
    public const string BiasAdd = "BiasAdd";
    public const string FusedBatchNorm = "FusedBatchNorm";
    public const string FusedBatchNormV2 = "FusedBatchNormV2";
    public const string FusedBatchNormV3 = "FusedBatchNormV3";
    public const string Relu = "Relu";
    public const string Relu6 = "Relu6";
    public const string MaxPool = "MaxPool";
    public const string AvgPool = "AvgPool";
    public const string Pad = "Pad";
    public const string Add = "Add";
    public const string AddV2 = "AddV2";
    public const string Sub = "Sub";
    public const string Mul = "Mul";
    public const string RealDiv = "RealDiv";
    public const string Maximum = "Maximum";
    public const string ConcatV2 = "ConcatV2";
    public const string ResizeBilinear = "ResizeBilinear";
    public const string Sigmoid = "Sigmoid";
    public const string Split = "Split";
    public const string SplitV = "SplitV";
    public const string Mean = "Mean";
    public const string Shape = "Shape";
    public const string StridedSlice = "StridedSlice";
    public const string Pack = "Pack";
    public const string Cast = "Cast";
    public const string Squeeze = "Squeeze";
    public const string Reshape = "Reshape";

    public static bool IsFusedBatchNorm(string op) => op is FusedBatchNorm or FusedBatchNormV2 or FusedBatchNormV3;
    public static bool IsAdd(string op) => op is Add or AddV2;
}
