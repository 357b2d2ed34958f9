using System.Buffers.Binary;
using System.IO.Hashing;

namespace Monitor.Core.Feeds;

/// <summary>
/// Tells a complete gzip file from a truncated one. .NET's GZipStream reports the end of the data when the compressed
/// bytes run out, even in the middle of a member: a file cut off in transfer reads as a shorter, valid-looking feed.
/// zlib does check the CRC-32 and size trailer of every member it reaches the end of, so what is left to check is that
/// the file ends with the trailer of its last member: its size (mod 2^32) and the CRC-32 of the bytes that member
/// inflated to. The last member's output starts at a point where a read returned early (GZipStream returns at each
/// member boundary), so the CRC-32 and length are kept at those points and the suffix's CRC is derived from them
/// (zlib's crc32_combine, inverted).
/// </summary>
internal sealed class GzipTrailerCheck
{
    /// <summary>The gzip header (10 bytes) and trailer (8 bytes) a member cannot be shorter than.</summary>
    private const int MinimumMemberBytes = 18;

    private readonly Crc32 _crc = new();
    private readonly Dictionary<long, uint> _checkpoints = new() { [0] = 0 };
    private long _length;

    /// <summary>Records bytes the decompressor returned; <paramref name="shortRead"/> when it returned fewer than asked.</summary>
    public void Append(ReadOnlySpan<byte> output, bool shortRead)
    {
        _crc.Append(output);
        _length += output.Length;
        if (shortRead)
        {
            _checkpoints.TryAdd(_length, _crc.GetCurrentHashAsUInt32());
        }
    }

    /// <summary>Null when <paramref name="tail"/> (the last 8 stored bytes) is the trailer of the last member; else why not.</summary>
    public string? Problem(ReadOnlySpan<byte> tail, long storedBytes)
    {
        if (storedBytes < MinimumMemberBytes || tail.Length < 8)
        {
            return $"truncated gzip: {storedBytes} bytes cannot hold a gzip header and trailer";
        }
        var expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(tail);
        var expectedSize = BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]);
        // The last member inflated to expectedSize bytes (mod 2^32); it starts at one of the checkpoints.
        for (var start = _length - expectedSize; start >= 0; start -= 1L << 32)
        {
            if (_checkpoints.TryGetValue(start, out var prefixCrc) && SuffixCrc(_crc.GetCurrentHashAsUInt32(), prefixCrc, _length - start) == expectedCrc)
            {
                return null;
            }
        }
        return $"truncated gzip: the file ends without the trailer (CRC-32 and size) of its last member after inflating to {_length} bytes; it was probably cut off in transfer";
    }

    /// <summary>CRC-32 of B from CRC-32(A B), CRC-32(A) and |B|: crc32_combine solved for B's part.</summary>
    internal static uint SuffixCrc(uint wholeCrc, uint prefixCrc, long suffixLength) =>
        wholeCrc ^ MultiplyModP(PowerOfX(suffixLength), prefixCrc);

    /// <summary>crc32_combine(crcA, crcB, |B|) = CRC-32(A B), as zlib defines it.</summary>
    internal static uint Combine(uint prefixCrc, uint suffixCrc, long suffixLength) =>
        MultiplyModP(PowerOfX(suffixLength), prefixCrc) ^ suffixCrc;

    private const uint Polynomial = 0xEDB88320;

    /// <summary>a * b modulo the CRC polynomial, in zlib's reflected bit order.</summary>
    private static uint MultiplyModP(uint a, uint b)
    {
        uint product = 0;
        for (var m = 1u << 31; m != 0; m >>= 1)
        {
            if ((a & m) != 0)
            {
                product ^= b;
            }
            b = (b & 1) != 0 ? (b >> 1) ^ Polynomial : b >> 1;
        }
        return product;
    }

    /// <summary>x^(8 * bytes) modulo the polynomial: the shift of a CRC past that many zero bytes.</summary>
    private static uint PowerOfX(long bytes)
    {
        var power = 1u << 31; // x^0
        var square = 1u << 30; // x^1, squared for each bit of the bit count
        for (var bits = (ulong)bytes << 3; bits != 0; bits >>= 1)
        {
            if ((bits & 1) != 0)
            {
                power = MultiplyModP(square, power);
            }
            square = MultiplyModP(square, square);
        }
        return power;
    }
}
