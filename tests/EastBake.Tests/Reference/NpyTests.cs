using System.Text;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Util;
using EastBake.Diagnostics;
using EastBake.Tests.TestSupport;

namespace EastBake.Tests.Reference;

public class NpyTests
{
    private static byte[] File(int major, string dict, byte[] data)
    {
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        var header = Encoding.UTF8.GetBytes(dict + "\n");
        if (major == 1) ms.Write(BitConverter.GetBytes((ushort)header.Length));
        else ms.Write(BitConverter.GetBytes((uint)header.Length));
        ms.Write(header);
        ms.Write(data);
        return ms.ToArray();
    }

    [Theory]
    [InlineData(ElementType.Float32)]
    [InlineData(ElementType.Float16)]
    [InlineData(ElementType.Int32)]
    [InlineData(ElementType.Int64)]
    [InlineData(ElementType.Bool)]
    public void RoundTrips(ElementType type)
    {
        var t = type.IsFloat()
            ? Tensor.FromFloats([2, 3], [1.5f, -2, 0, 3.25f, 1e-3f, 65504], type)
            : Tensor.FromInts([2, 3], type == ElementType.Bool ? [1, 0, 1, 1, 0, 0] : [1, -2, 0, 3, 1 << 30, 7], type);
        var ms = new MemoryStream();
        Npy.Write(ms, t);
        Assert.Equal(0, (ms.Length - t.Length * type.ByteSize()) % 64); // data is 64-byte aligned
        ms.Position = 0;
        var back = Npy.Read(ms);
        Assert.Equal(type, back.Type);
        Assert.Equal(t.Shape, back.Shape);
        Assert.Equal(t.ToDoubles().Select(v => type == ElementType.Float16 ? (double)(float)(Half)v : v), back.ToDoubles());
    }

    [Fact]
    public void ReadsVersion2And3HeadersFloat64AndUint8()
    {
        var f64 = File(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
            [.. BitConverter.GetBytes(0.1), .. BitConverter.GetBytes(-2.0), .. BitConverter.GetBytes(1e10)]);
        var t = Npy.Read(new MemoryStream(f64));
        Assert.Equal(ElementType.Float32, t.Type);
        Assert.Equal(new[] { 0.1f, -2f, 1e10f }, t.Floats);

        var u8 = File(3, "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 2), }", [0, 255]);
        var u = Npy.Read(new MemoryStream(u8));
        Assert.Equal(new long[] { 1, 2 }, u.Shape);
        Assert.Equal(new long[] { 0, 255 }, u.Ints);

        var scalar = File(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }", BitConverter.GetBytes(42));
        Assert.Equal(42L, Npy.Read(new MemoryStream(scalar)).Ints![0]);
    }

    [Fact]
    public void RejectsFortranOrderBigEndianAndTruncation()
    {
        var fortran = File(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16]);
        var e = Assert.Throws<EastBakeException>(() => Npy.Read(new MemoryStream(fortran)));
        Assert.Contains("Fortran", e.Message);

        var big = File(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]);
        Assert.Equal(ErrorCodes.UnsupportedDataType, Assert.Throws<EastBakeException>(() => Npy.Read(new MemoryStream(big))).Code);

        var shortData = File(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", new byte[8]);
        Assert.Contains("truncated", Assert.Throws<EastBakeException>(() => Npy.Read(new MemoryStream(shortData))).Message);

        Assert.Contains("magic", Assert.Throws<EastBakeException>(() => Npy.Read(new MemoryStream(new byte[20]))).Message);
    }

    [SharedFact("tf/opencv/single_conv_in.npy", "models/east_r50_ic15_refs/img_901_input.npy")]
    public void ReadsRealFiles()
    {
        var t = Npy.Read(SharedData.Path_("tf/opencv/single_conv_in.npy"));
        Assert.Equal(new long[] { 1, 3, 6, 5 }, t.Shape);
        Assert.Equal(0.08519531, t.Floats![0], 6); // first bytes e1 7a ae 3d
        var img = Npy.Read(SharedData.Path_("models/east_r50_ic15_refs/img_901_input.npy"));
        Assert.Equal(new long[] { 1, 704, 1280, 3 }, img.Shape);
        Assert.InRange(img.Ints!.Max(), 200, 255);
    }
}
