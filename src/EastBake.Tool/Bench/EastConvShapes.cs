namespace EastBake.Tool.Bench;

/// <summary>One convolution of the EAST-R50 network: input size, channels, window, stride and TF padding.</summary>
internal sealed record ConvShape(string Name, int InH, int InW, int Cin, int Cout, int K, int Stride, int PadBegin, int PadEnd, int Count = 1)
{
    public int OutH => (InH + PadBegin + PadEnd - K) / Stride + 1;
    public int OutW => (InW + PadBegin + PadEnd - K) / Stride + 1;
    public double Flops => 2.0 * OutH * OutW * Cout * Cin * K * K;
}

/// <summary>
/// The 61 convolutions of EAST-R50 (argman/EAST topology: TF-slim ResNet-50 v1 with the stride in
/// the last unit of blocks 1–3, then the feature-merging branch), grouped by shape with their
/// multiplicity, for an input of height × width. conv1 reads the input padded to 8 channels, and
/// the three head convolutions are the merged 32→8 EastHead conv the lowering produces.
/// </summary>
internal static class EastConvShapes
{
    public static IReadOnlyList<ConvShape> For(int height, int width)
    {
        var all = new List<ConvShape>();
        void Conv(string name, int h, int w, int cin, int cout, int k, int s)
        {
            int begin = (k - 1) / 2, end = k - 1 - begin; // SAME at stride 1, conv2d_same at stride 2
            all.Add(new ConvShape(name, h, w, cin, cout, k, s, begin, end));
        }
        Conv("conv1", height, width, 8, 64, 7, 2);
        int fh = height / 4, fw = width / 4;
        void Block(string name, int cin, int depth, int mid, int units, int stride)
        {
            int c = cin;
            for (int u = 0; u < units; u++)
            {
                int s = u == units - 1 ? stride : 1;
                if (c != depth) Conv($"{name}/shortcut", fh, fw, c, depth, 1, 1);
                Conv($"{name}/conv1", fh, fw, c, mid, 1, 1);
                Conv($"{name}/conv2", fh, fw, mid, mid, 3, s);
                fh /= s; fw /= s;
                Conv($"{name}/conv3", fh, fw, mid, depth, 1, 1);
                c = depth;
            }
        }
        Block("block1", 64, 256, 64, 3, 2);
        Block("block2", 256, 512, 128, 4, 2);
        Block("block3", 512, 1024, 256, 6, 2);
        Block("block4", 1024, 2048, 512, 3, 1);
        Conv("merge1/1x1", height / 16, width / 16, 2048 + 512, 128, 1, 1);
        Conv("merge1/3x3", height / 16, width / 16, 128, 128, 3, 1);
        Conv("merge2/1x1", height / 8, width / 8, 128 + 256, 64, 1, 1);
        Conv("merge2/3x3", height / 8, width / 8, 64, 64, 3, 1);
        Conv("merge3/1x1", height / 4, width / 4, 64 + 64, 32, 1, 1);
        Conv("merge3/3x3", height / 4, width / 4, 32, 32, 3, 1);
        Conv("merge4", height / 4, width / 4, 32, 32, 3, 1);
        Conv("heads", height / 4, width / 4, 32, 8, 1, 1);
        // One row per distinct shape, named after its first occurrence.
        return all.GroupBy(c => (c.InH, c.InW, c.Cin, c.Cout, c.K, c.Stride))
            .Select(g => g.First() with { Count = g.Count() })
            .ToList();
    }
}
