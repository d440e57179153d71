using ILGPU;

namespace EastBake.Runtime.Ilgpu;

/// <summary>
/// Load/store conversion of a storage type; kernels are generic over it so that one source
/// serves FP32 and FP16 storage (arithmetic is always FP32).
/// </summary>
public interface IElementOps<T> where T : unmanaged
{
    float ToFloat(T value);
    T FromFloat(float value);
}

/// <summary>FP32 storage.</summary>
public readonly struct F32Ops : IElementOps<float>
{
    public float ToFloat(float value) => value;
    public float FromFloat(float value) => value;
}

/// <summary>FP16 storage through ILGPU's Half (hardware conversions; needs device FP16 support).</summary>
public readonly struct F16Ops : IElementOps<ILGPU.Half>
{
    public float ToFloat(ILGPU.Half value) => value;
    public ILGPU.Half FromFloat(float value) => (ILGPU.Half)value;
}

/// <summary>
/// FP16 storage as raw binary16 bits with integer conversions, for devices without FP16
/// support (e.g. OpenCL without cl_khr_fp16). Same memory format as <see cref="F16Ops"/>.
/// </summary>
public readonly struct F16BitsOps : IElementOps<ushort>
{
    public float ToFloat(ushort h)
    {
        uint sign = (uint)(h & 0x8000) << 16;
        uint exp = (uint)(h >> 10) & 0x1F;
        uint mant = (uint)h & 0x3FF;
        if (exp == 0)
        {
            float sub = mant * 5.9604645e-8f; // subnormal: mant · 2^-24
            return sign != 0 ? -sub : sub;
        }
        if (exp == 31) return Interop.IntAsFloat(sign | 0x7F800000u | (mant << 13));
        return Interop.IntAsFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    public ushort FromFloat(float f)
    {
        uint x = Interop.FloatAsInt(f);
        uint sign = (x >> 16) & 0x8000;
        int e = (int)((x >> 23) & 0xFF);
        uint m = x & 0x7FFFFF;
        if (e == 255) return (ushort)(sign | 0x7C00 | (m != 0 ? 0x200u : 0u));
        int he = e - 112; // rebias 127 → 15
        if (he >= 31) return (ushort)(sign | 0x7C00);
        if (he <= 0)
        {
            // Subnormal half: value / 2^-24 = (1.m) >> (14 − he), rounded to nearest even.
            if (he < -10) return (ushort)sign;
            m |= 0x800000;
            int shift = 14 - he;
            uint hm = m >> shift;
            uint rem = m & ((1u << shift) - 1);
            uint halfway = 1u << (shift - 1);
            if (rem > halfway || (rem == halfway && (hm & 1) != 0)) hm++;
            return (ushort)(sign | hm);
        }
        uint r = ((uint)he << 10) | (m >> 13);
        uint rest = m & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (r & 1) != 0)) r++; // a carry may round up to inf: correct
        return (ushort)(sign | r);
    }
}
