using EastBake.Compiler.Protos.Tf;

namespace EastBake.ModelGenerator.Graph;

/// <summary>
/// Writes the EAST-R50 inference graph (argman/EAST on TF-slim ResNet-50 v1) with the node names,
/// ops and attributes of the TF1 frozen graph described in shared/models/README.md.
/// Weights come from <see cref="WeightInit"/> in node order and go through an <see cref="IVariableSink"/>.
/// </summary>
public sealed class EastGraphBuilder
{
    public const string Input = "input_images";
    public const string ScoreOutput = "feature_fusion/Conv_7/Sigmoid";
    public const string GeometryOutput = "feature_fusion/concat_3";

    /// <summary>ResNet-50 v1 blocks: (depth, bottleneck depth, units, stride of the last unit).</summary>
    public static readonly (int Depth, int Mid, int Units, int Stride)[] Blocks =
        [(256, 64, 3, 2), (512, 128, 4, 2), (1024, 256, 6, 2), (2048, 512, 3, 1)];

    /// <summary>Feature-merge widths (1×1 then 3×3 conv after each unpool), and the final 3×3 conv.</summary>
    public static readonly int[] MergeWidths = [128, 64, 32];
    public const int FinalWidth = 32;

    private const double InputPower = 5600;   // E[x²] of a 0–255 image minus the channel means
    private const double BnPower = 1.2;       // E[x²] after a BatchNorm with the statistics of WeightInit

    private readonly GraphWriter _g;
    private readonly IVariableSink _vars;
    private readonly WeightInit _w;
    private readonly EastModelOptions _o;

    /// <summary>A tensor in flight: its name, channel count and estimated second moment.</summary>
    private readonly record struct T(string Name, int C, double Power);

    public EastGraphBuilder(GraphWriter graph, IVariableSink vars, EastModelOptions options)
    {
        options.Validate();
        (_g, _vars, _o, _w) = (graph, vars, options, new WeightInit(options.Seed));
    }

    public void Build()
    {
        var x = MeanSubtraction();
        var (pool1, block1, block2, block4) = ResNet50(x);
        FeatureFusion(block4, block2, block1, pool1);
    }

    private T MeanSubtraction()
    {
        _g.Add(Input, "Placeholder", [], ("dtype", Attr.Float), ("shape", Attr.Shape(TfTensors.Shape(-1, -1, -1, 3))));
        _g.Const("split/split_dim", TfTensors.ScalarInt(3));
        _g.Add("split", "Split", ["split/split_dim", Input], ("T", Attr.Float), ("num_split", Attr.I(3)));
        float[] means = [123.68f, 116.78f, 103.94f];
        var subs = new string[3];
        for (var i = 0; i < 3; i++)
        {
            var name = i == 0 ? "sub" : $"sub_{i}";
            _g.Const(name + "/y", TfTensors.ScalarFloat(means[i]));
            subs[i] = _g.FloatOp(name, "Sub", i == 0 ? "split" : $"split:{i}", name + "/y");
        }
        _g.Const("concat/axis", TfTensors.ScalarInt(3));
        return new(Concat("concat", [.. subs, "concat/axis"]), 3, InputPower);
    }

    private (T Pool1, T Block1, T Block2, T Block4) ResNet50(T x)
    {
        const string s = "resnet_v1_50";
        x = Conv($"{s}/conv1", x, 7, _o.Ch(64), 2, padScope: s);
        var pool1 = MaxPool($"{s}/pool1/MaxPool", x, 3, 2) with { Power = x.Power * 2 };
        var outs = new T[Blocks.Length];
        x = pool1;
        for (var b = 0; b < Blocks.Length; b++)
        {
            var (depth, mid, units, stride) = Blocks[b];
            for (var u = 1; u <= units; u++)
                x = Bottleneck($"{s}/block{b + 1}/unit_{u}/bottleneck_v1", x, _o.Ch(depth), _o.Ch(mid), u == units ? stride : 1);
            outs[b] = x;
        }
        return (pool1, outs[0], outs[1], outs[3]);
    }

    private T Bottleneck(string scope, T x, int depth, int mid, int stride)
    {
        T shortcut;
        if (depth != x.C) shortcut = Conv($"{scope}/shortcut", x, 1, depth, stride, relu: false);
        else if (stride > 1) shortcut = MaxPool($"{scope}/shortcut/MaxPool", x, 1, stride);
        else shortcut = x;
        var r = Conv($"{scope}/conv1", x, 1, mid, 1);
        r = Conv($"{scope}/conv2", r, 3, mid, stride, padScope: scope);
        r = Conv($"{scope}/conv3", r, 1, depth, 1, relu: false);
        var add = _g.FloatOp($"{scope}/add", "Add", shortcut.Name, r.Name);
        return new(_g.FloatOp($"{scope}/Relu", "Relu", add), depth, 0.6 * (shortcut.Power + r.Power));
    }

    private void FeatureFusion(T block4, T block2, T block1, T pool1)
    {
        const string s = "feature_fusion";
        T[] skips = [block2, block1, pool1];
        var h = block4;
        var conv = 0;
        for (var i = 0; i < skips.Length; i++)
        {
            var up = Unpool(s, i, h);
            _g.Const($"{s}/{Suffix("concat", i)}/axis", TfTensors.ScalarInt(-1));
            var c = up.C + skips[i].C;
            var cat = new T(Concat($"{s}/{Suffix("concat", i)}", up.Name, skips[i].Name, $"{s}/{Suffix("concat", i)}/axis"), c,
                (up.Power * up.C + skips[i].Power * skips[i].C) / c);
            h = Conv($"{s}/{Suffix("Conv", conv++)}", cat, 1, _o.Ch(MergeWidths[i]), 1);
            h = Conv($"{s}/{Suffix("Conv", conv++)}", h, 3, _o.Ch(MergeWidths[i]), 1);
        }
        h = Conv($"{s}/{Suffix("Conv", conv++)}", h, 3, _o.Ch(FinalWidth), 1);
        Heads(s, h);
    }

    /// <summary>Score (Conv_7), distances (Conv_8 × 512) and angle ((Conv_9 − 0.5) × π / 2).</summary>
    private void Heads(string s, T h)
    {
        var score = HeadConv($"{s}/Conv_7", h, 1);
        _ = score; // = ScoreOutput
        var dist = HeadConv($"{s}/Conv_8", h, 4);
        _g.Const($"{s}/mul_6/y", TfTensors.ScalarFloat(512f));
        var mul6 = _g.FloatOp($"{s}/mul_6", "Mul", dist, $"{s}/mul_6/y");
        var angle = HeadConv($"{s}/Conv_9", h, 1);
        _g.Const($"{s}/sub/y", TfTensors.ScalarFloat(0.5f));
        var sub = _g.FloatOp($"{s}/sub", "Sub", angle, $"{s}/sub/y");
        _g.Const($"{s}/mul_7/y", TfTensors.ScalarFloat(MathF.PI));
        var mul7 = _g.FloatOp($"{s}/mul_7", "Mul", sub, $"{s}/mul_7/y");
        _g.Const($"{s}/truediv/y", TfTensors.ScalarFloat(2f));
        var div = _g.FloatOp($"{s}/truediv", "RealDiv", mul7, $"{s}/truediv/y");
        _g.Const($"{s}/concat_3/axis", TfTensors.ScalarInt(-1));
        Concat(GeometryOutput, mul6, div, $"{s}/concat_3/axis");
    }

    /// <summary>slim.conv2d with BatchNorm (+ReLU); strided k&gt;1 convs are conv2d_same (Pad + VALID).</summary>
    private T Conv(string scope, T x, int k, int cout, int stride, bool relu = true, string? padScope = null)
    {
        var w = _vars.Variable($"{scope}/weights", [k, k, x.C, cout], _w.Filter(k, x.C, cout), VariableInit.Zeros);
        var input = x.Name;
        var padding = "SAME";
        if (stride > 1 && k > 1)
        {
            int b = (k - 1) / 2, e = k - 1 - b;
            var pad = $"{padScope ?? scope}/Pad";
            _g.Const(pad + "/paddings", TfTensors.Ints([4, 2], [0, 0, b, e, b, e, 0, 0]));
            input = _g.Add(pad, "Pad", [input, pad + "/paddings"], ("T", Attr.Float), ("Tpaddings", Attr.Int32));
            padding = "VALID";
        }
        var conv = _g.Add($"{scope}/Conv2D", "Conv2D", [input, w], ("T", Attr.Float), ("data_format", Attr.Nhwc),
            ("dilations", Attr.Ints(1, 1, 1, 1)), ("padding", Attr.S(padding)), ("strides", Attr.Ints(1, stride, stride, 1)),
            ("use_cudnn_on_gpu", Attr.B(true)));
        var y = 2 * x.Power; // He-normal: E[y²] = fan_in · (2 / fan_in) · E[x²]
        var bn = $"{scope}/BatchNorm";
        var gamma = _vars.Variable($"{bn}/gamma", [cout], _w.Gamma(cout), VariableInit.Ones);
        var beta = _vars.Variable($"{bn}/beta", [cout], _w.Beta(cout), VariableInit.Zeros);
        var mean = _vars.Variable($"{bn}/moving_mean", [cout], _w.MovingMean(cout, y), VariableInit.Zeros);
        var variance = _vars.Variable($"{bn}/moving_variance", [cout], _w.MovingVariance(cout, y), VariableInit.Ones);
        var fbn = _g.Add($"{bn}/FusedBatchNorm", "FusedBatchNorm", [conv, gamma, beta, mean, variance], ("T", Attr.Float),
            ("data_format", Attr.Nhwc), ("epsilon", Attr.F(1e-5f)), ("is_training", Attr.B(false)));
        return relu ? new(_g.FloatOp($"{scope}/Relu", "Relu", fbn), cout, BnPower / 2) : new(fbn, cout, BnPower);
    }

    /// <summary>1×1 conv with biases, BiasAdd and Sigmoid (no BatchNorm).</summary>
    private string HeadConv(string scope, T x, int cout)
    {
        var w = _vars.Variable($"{scope}/weights", [1, 1, x.C, cout], _w.Filter(1, x.C, cout), VariableInit.Zeros);
        var conv = _g.Add($"{scope}/Conv2D", "Conv2D", [x.Name, w], ("T", Attr.Float), ("data_format", Attr.Nhwc),
            ("dilations", Attr.Ints(1, 1, 1, 1)), ("padding", Attr.S("SAME")), ("strides", Attr.Ints(1, 1, 1, 1)),
            ("use_cudnn_on_gpu", Attr.B(true)));
        var b = _vars.Variable($"{scope}/biases", [cout], _w.Bias(cout), VariableInit.Zeros);
        var add = _g.Add($"{scope}/BiasAdd", "BiasAdd", [conv, b], ("T", Attr.Float), ("data_format", Attr.Nhwc));
        return _g.FloatOp($"{scope}/Sigmoid", "Sigmoid", add);
    }

    private T MaxPool(string name, T x, int k, int stride) => x with
    {
        Name = _g.Add(name, "MaxPool", [x.Name], ("T", Attr.Float), ("data_format", Attr.Nhwc), ("ksize", Attr.Ints(1, k, k, 1)),
            ("padding", Attr.S("SAME")), ("strides", Attr.Ints(1, stride, stride, 1))),
    };

    /// <summary>×2 ResizeBilinear whose size is Pack(StridedSlice(Shape(x))[1]·2, [2]·2), as argman's unpool builds it.</summary>
    private T Unpool(string s, int i, T x)
    {
        var dims = new string[2];
        for (var j = 0; j < 2; j++)
        {
            var n = 2 * i + j;
            var shape = _g.Add($"{s}/{Suffix("Shape", n)}", "Shape", [x.Name], ("T", Attr.Float), ("out_type", Attr.Int32));
            var ss = $"{s}/{Suffix("strided_slice", n)}";
            _g.Const(ss + "/stack", TfTensors.Ints([1], [j + 1]));
            _g.Const(ss + "/stack_1", TfTensors.Ints([1], [j + 2]));
            _g.Const(ss + "/stack_2", TfTensors.Ints([1], [1]));
            _g.Add(ss, "StridedSlice", [shape, ss + "/stack", ss + "/stack_1", ss + "/stack_2"], ("Index", Attr.Int32), ("T", Attr.Int32),
                ("begin_mask", Attr.I(0)), ("ellipsis_mask", Attr.I(0)), ("end_mask", Attr.I(0)), ("new_axis_mask", Attr.I(0)),
                ("shrink_axis_mask", Attr.I(1)));
            var mul = $"{s}/{Suffix("mul", n)}";
            _g.Const(mul + "/y", TfTensors.ScalarInt(2));
            dims[j] = _g.Add(mul, "Mul", [ss, mul + "/y"], ("T", Attr.Int32));
        }
        var resize = $"{s}/{Suffix("ResizeBilinear", i)}";
        _g.Add(resize + "/size", "Pack", dims, ("N", Attr.I(2)), ("T", Attr.Int32), ("axis", Attr.I(0)));
        _g.Add(resize, "ResizeBilinear", [x.Name, resize + "/size"], ("T", Attr.Float), ("align_corners", Attr.B(false)),
            ("half_pixel_centers", Attr.B(false)));
        return x with { Name = resize };
    }

    /// <summary>ConcatV2 of all inputs but the last (the axis Const).</summary>
    private string Concat(string name, params string[] inputsAndAxis) =>
        _g.Add(name, "ConcatV2", inputsAndAxis, ("N", Attr.I(inputsAndAxis.Length - 1)), ("T", Attr.Float), ("Tidx", Attr.Int32));

    /// <summary>TF's unique-name suffix: "Conv", "Conv_1", "Conv_2"…</summary>
    private static string Suffix(string baseName, int n) => n == 0 ? baseName : $"{baseName}_{n}";
}
