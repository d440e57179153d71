namespace EastBake.Runtime.Ilgpu.TensorCores;

/// <summary>
/// Compile-time tile shape of the tensor-core convolution: the CTA computes BM output pixels ×
/// BN output channels with WarpsM × WarpsN warps, over K in steps of 32 through a
/// <see cref="Stages"/>-deep cp.async pipeline. Implementations are empty structs whose
/// properties return constants, so ILGPU specializes and unrolls the kernel per shape.
/// Shared memory: Stages · (BM + BN) · 64 bytes, at most 48 KB (static allocation).
/// </summary>
public interface IMmaTile
{
    int BM { get; }
    int BN { get; }
    int WarpsM { get; }
    int WarpsN { get; }
    int Stages { get; }
}

/// <summary>128×128, 8 warps of 64×32, 3 stages (48 KB).</summary>
public readonly struct Tile128x128 : IMmaTile
{
    public int BM => 128; public int BN => 128; public int WarpsM => 2; public int WarpsN => 4; public int Stages => 3;
}

/// <summary>128×64, 4 warps of 64×32, 4 stages (48 KB).</summary>
public readonly struct Tile128x64 : IMmaTile
{
    public int BM => 128; public int BN => 64; public int WarpsM => 2; public int WarpsN => 2; public int Stages => 4;
}

/// <summary>64×128, 4 warps of 32×64, 4 stages (48 KB).</summary>
public readonly struct Tile64x128 : IMmaTile
{
    public int BM => 64; public int BN => 128; public int WarpsM => 2; public int WarpsN => 2; public int Stages => 4;
}

/// <summary>64×64, 4 warps of 32×32, 4 stages (32 KB).</summary>
public readonly struct Tile64x64 : IMmaTile
{
    public int BM => 64; public int BN => 64; public int WarpsM => 2; public int WarpsN => 2; public int Stages => 4;
}

/// <summary>128×32 for narrow layers (32 output channels), 4 warps of 32×32, 4 stages (40 KB).</summary>
public readonly struct Tile128x32 : IMmaTile
{
    public int BM => 128; public int BN => 32; public int WarpsM => 4; public int WarpsN => 1; public int Stages => 4;
}

/// <summary>64×32 for small narrow layers, 2 warps of 32×32, 4 stages (24 KB).</summary>
public readonly struct Tile64x32 : IMmaTile
{
    public int BM => 64; public int BN => 32; public int WarpsM => 2; public int WarpsN => 1; public int Stages => 4;
}
