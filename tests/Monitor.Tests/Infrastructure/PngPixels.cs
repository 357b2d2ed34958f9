using System.Buffers.Binary;
using System.IO.Compression;

namespace Monitor.Tests.Infrastructure;

/// <summary>
/// Reads the pixels of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium's --screenshot writes), so a test can
/// check what a page actually drew. Managed code only: zlib via <see cref="ZLibStream"/>, the five PNG row filters.
/// </summary>
public sealed class PngPixels
{
    private readonly byte[] _pixels;
    private readonly int _channels;

    private PngPixels(int width, int height, int channels, byte[] pixels)
    {
        Width = width;
        Height = height;
        _channels = channels;
        _pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }

    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            var i = (y * Width + x) * _channels;
            return (_pixels[i], _pixels[i + 1], _pixels[i + 2]);
        }
    }

    /// <summary>How many pixels lie within <paramref name="tolerance"/> of the colour on every channel.</summary>
    public int Count(byte r, byte g, byte b, int tolerance)
    {
        var count = 0;
        for (var i = 0; i < _pixels.Length; i += _channels)
        {
            if (Math.Abs(_pixels[i] - r) <= tolerance && Math.Abs(_pixels[i + 1] - g) <= tolerance && Math.Abs(_pixels[i + 2] - b) <= tolerance)
            {
                count++;
            }
        }
        return count;
    }

    public static PngPixels Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (bytes.Length < 8 || !bytes.AsSpan(0, 8).SequenceEqual(signature))
        {
            throw new InvalidDataException($"{path}: not a PNG file");
        }
        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        for (var offset = 8; offset + 8 <= bytes.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset));
            var type = System.Text.Encoding.ASCII.GetString(bytes, offset + 4, 4);
            var data = bytes.AsSpan(offset + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                var (depth, colour, interlace) = (data[8], data[9], data[12]);
                channels = colour switch { 2 => 3, 6 => 4, _ => 0 };
                if (depth != 8 || channels == 0 || interlace != 0)
                {
                    throw new InvalidDataException($"{path}: only 8-bit RGB/RGBA non-interlaced PNGs are supported (depth {depth}, colour type {colour}, interlace {interlace})");
                }
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }
            offset += 12 + length;
        }
        idat.Position = 0;
        using var inflate = new ZLibStream(idat, CompressionMode.Decompress);
        var stride = width * channels;
        var raw = new byte[height * (stride + 1)];
        inflate.ReadExactly(raw);
        var pixels = new byte[height * stride];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            var source = raw.AsSpan(y * (stride + 1) + 1, stride);
            var row = pixels.AsSpan(y * stride, stride);
            var previous = y == 0 ? new byte[stride] : pixels.AsSpan((y - 1) * stride, stride);
            for (var x = 0; x < stride; x++)
            {
                int a = x >= channels ? row[x - channels] : 0, b = previous[x], c = x >= channels ? previous[x - channels] : 0;
                row[x] = (byte)(source[x] + filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"{path}: unknown PNG filter {filter} in row {y}"),
                });
            }
        }
        return new PngPixels(width, height, channels, pixels);
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
