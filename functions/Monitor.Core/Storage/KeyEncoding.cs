using System.Security.Cryptography;
using System.Text;

namespace Monitor.Core.Storage;

/// <summary>
/// Makes any user value safe as (part of) a PartitionKey or RowKey. Table keys forbid / \ # ? and control
/// characters; we percent-encode those and '%' itself and '|' (our part separator), so distinct values never
/// collide and the encoding is reversible. Over-long keys keep a readable head plus a hash of the whole value.
/// </summary>
public static class KeyEncoding
{
    public const char Separator = '|';
    private const int MaxPartLength = 200;

    public static string Encode(string value)
    {
        if (!NeedsEncoding(value))
        {
            return value.Length <= MaxPartLength ? value : Shorten(value, value);
        }
        var sb = new StringBuilder(value.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.Value is '/' or '\\' or '#' or '?' or '%' or '|' || Rune.IsControl(rune) || rune.Value is 0xFFFE or 0xFFFF)
            {
                var n = rune.EncodeToUtf8(utf8);
                for (var i = 0; i < n; i++)
                {
                    sb.Append('%').Append(utf8[i].ToString("X2"));
                }
            }
            else
            {
                sb.Append(rune.ToString());
            }
        }
        var encoded = sb.ToString();
        return encoded.Length <= MaxPartLength ? encoded : Shorten(encoded, value);
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

    private static string Shorten(string encoded, string original) => $"{encoded[..(MaxPartLength - 18)]}~{Hash(original)}";
}
