using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Monitor.Core.Storage;

/// <summary>
/// Makes any user value safe as (part of) a PartitionKey or RowKey. Table keys forbid / \ # ? and control
/// characters; we percent-encode those and '%' itself and '|' (our part separator), so distinct values never
/// collide and the encoding is reversible. Over-long keys keep a readable head plus "%~" and a hash of the whole value.
/// </summary>
internal static class KeyEncoding
{
    public const char Separator = '|';
    private const int MaxPartLength = 200;

    /// <summary>
    /// The key form of a request ID. Request IDs are compared ignoring case everywhere (register, matcher, API), so
    /// every key built from one uses its upper-case form: "t-1" in a feed and "T-1" in the register are one request.
    /// </summary>
    public static string RequestKey(string requestId) => Encode(requestId.ToUpperInvariant());

    public static string Encode(string value)
    {
        if (!NeedsEncoding(value))
        {
            return value.Length <= MaxPartLength ? value : Shorten(value, value);
        }
        var sb = new StringBuilder(value.Length + 8);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                // A well-formed pair is an ordinary character outside the BMP.
                sb.Append(c).Append(value[++i]);
            }
            else if (c is '/' or '\\' or '#' or '?' or '%' or '|' or '\uFFFE' or '\uFFFF' || char.IsControl(c) || char.IsSurrogate(c))
            {
                AppendEscaped(sb, c);
            }
            else
            {
                sb.Append(c);
            }
        }
        var encoded = sb.ToString();
        return encoded.Length <= MaxPartLength ? encoded : Shorten(encoded, value);
    }

    /// <summary>
    /// %XX for each byte of the character's UTF-8 form. An unpaired surrogate (which UTF-8 cannot hold, and which JSON
    /// escapes can produce) gets the three bytes of its code unit, so two different ones never share a key.
    /// </summary>
    private static void AppendEscaped(StringBuilder sb, char c)
    {
        ReadOnlySpan<int> bytes = c switch
        {
            < '\u0080' => [c],
            < '\u0800' => [0xC0 | (c >> 6), 0x80 | (c & 0x3F)],
            _ => [0xE0 | (c >> 12), 0x80 | ((c >> 6) & 0x3F), 0x80 | (c & 0x3F)],
        };
        foreach (var b in bytes)
        {
            sb.Append('%').Append(b.ToString("X2"));
        }
    }

    /// <summary>Joins encoded parts with <see cref="Separator"/>.</summary>
    public static string Compose(params string[] parts) => string.Join(Separator, parts.Select(Encode));

    /// <summary>Ticks counted down from the maximum, so that a RowKey sorts newest first.</summary>
    public static string InvertedTicks(DateTimeOffset at) => (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19");

    public static string Ticks(DateTimeOffset at) => at.UtcTicks.ToString("D19");

    /// <summary>A short, stable hex digest for keys that must be bounded in length.</summary>
    public static string Hash(string value, int hexChars = 16) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..hexChars];

    private static bool NeedsEncoding(string value)
    {
        foreach (var c in value)
        {
            if (c is '/' or '\\' or '#' or '?' or '%' or '|' || char.IsControl(c) || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF')
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Marks a shortened part. Encoding never writes it (every '%' it writes is followed by two hex digits, and a value that
    /// needs no encoding has no '%'), so no short value can be spelled to meet a long value's shortened key.
    /// </summary>
    private const string ShortenedMarker = "%~";
    private const int ShortenedHashChars = 32;

    private static string Shorten(string encoded, string original)
    {
        var head = MaxPartLength - ShortenedMarker.Length - ShortenedHashChars;
        if (char.IsHighSurrogate(encoded[head - 1]))
        {
            head--;
        }
        // Hashed as UTF-16, so values that differ only in unpaired surrogates hash apart too.
        var hash = Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(original.AsSpan())))[..ShortenedHashChars];
        return $"{encoded[..head]}{ShortenedMarker}{hash}";
    }
}
