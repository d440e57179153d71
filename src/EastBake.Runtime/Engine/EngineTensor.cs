namespace EastBake.Runtime.Engine;

/// <summary>
/// An activation: NHWC with N = 1, stored densely (pixel stride = <see cref="Channels"/>).
/// Its spatial size follows the run's input size: H = inputH · ScaleNum / ScaleDen, and
/// W = inputW · WidthScaleNum / WidthScaleDen (the same fraction unless given; e.g. 1/4 for the
/// H/4 score map). Every division must be exact for every input size of the profile (checked by
/// <see cref="EngineProgram.Validate"/>).
/// </summary>
public sealed class EngineTensor
{
    public EngineTensor(string name, int channels, int scaleDen, EngineDataType dataType, int scaleNum = 1,
        int widthScaleNum = 0, int widthScaleDen = 0)
    {
        Name = name;
        Channels = channels;
        ScaleNum = scaleNum;
        ScaleDen = scaleDen;
        WidthScaleNum = widthScaleNum == 0 ? scaleNum : widthScaleNum;
        WidthScaleDen = widthScaleDen == 0 ? scaleDen : widthScaleDen;
        DataType = dataType;
    }

    public string Name { get; }
    public int Channels { get; }
    /// <summary>Height scale numerator (and denominator below).</summary>
    public int ScaleNum { get; }
    public int ScaleDen { get; }
    public int WidthScaleNum { get; }
    public int WidthScaleDen { get; }
    public EngineDataType DataType { get; }

    public int Height(int inputHeight) => (int)((long)inputHeight * ScaleNum / ScaleDen);
    public int Width(int inputWidth) => (int)((long)inputWidth * WidthScaleNum / WidthScaleDen);

    public long ElementCount(int inputHeight, int inputWidth) =>
        (long)Height(inputHeight) * Width(inputWidth) * Channels;

    public long ByteCount(int inputHeight, int inputWidth) =>
        ElementCount(inputHeight, inputWidth) * DataType.SizeInBytes();
}

/// <summary>
/// Constant data in the exact layout and precision the kernel reads (no conversion at load time).
/// Bytes are little-endian IEEE floats (binary32 or binary16).
/// The element order is <see cref="Layout"/>: conv filters are <see cref="WeightLayout.Hwio"/>, i.e.
/// [KH][KW][Cin][Cout] with Cout fastest (TF's own layout; adjacent threads of the direct kernel
/// compute adjacent output channels and read adjacent weights). Biases and per-channel
/// scale/shift vectors: [C], always Float32.
/// </summary>
public sealed class EngineWeight
{
    public EngineWeight(string name, EngineDataType dataType, byte[] data, WeightLayout layout = WeightLayout.Vector)
    {
        if (data.Length % dataType.SizeInBytes() != 0)
            throw new ArgumentException("weight byte length is not a multiple of the element size", nameof(data));
        Name = name;
        DataType = dataType;
        Data = data;
        Layout = layout;
    }

    public string Name { get; }
    public EngineDataType DataType { get; }
    public byte[] Data { get; }
    public WeightLayout Layout { get; }
    public int ElementCount => Data.Length / DataType.SizeInBytes();

    /// <summary>Stores <paramref name="values"/> in <paramref name="dataType"/> (FP16: round to nearest even).</summary>
    public static EngineWeight FromFloats(string name, ReadOnlySpan<float> values, EngineDataType dataType = EngineDataType.Float32,
        WeightLayout layout = WeightLayout.Vector)
    {
        var bytes = new byte[values.Length * dataType.SizeInBytes()];
        if (dataType == EngineDataType.Float32)
        {
            for (int i = 0; i < values.Length; i++)
                BitConverter.TryWriteBytes(bytes.AsSpan(4 * i), values[i]);
        }
        else
        {
            for (int i = 0; i < values.Length; i++)
                BitConverter.TryWriteBytes(bytes.AsSpan(2 * i), BitConverter.HalfToUInt16Bits((Half)values[i]));
        }
        return new EngineWeight(name, dataType, bytes, layout);
    }

    /// <summary>The values widened to float (for tests and references).</summary>
    public float[] ToFloats()
    {
        var r = new float[ElementCount];
        for (int i = 0; i < r.Length; i++)
            r[i] = DataType == EngineDataType.Float32
                ? BitConverter.ToSingle(Data, 4 * i)
                : (float)BitConverter.UInt16BitsToHalf(BitConverter.ToUInt16(Data, 2 * i));
        return r;
    }
}

/// <summary>A network output: <see cref="Channels"/> channels of a tensor slice, returned to the caller as float32 NHWC.</summary>
public sealed record EngineOutput(string Name, TensorRef Source, int Channels);
