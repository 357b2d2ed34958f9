using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Monitor.Core.Indicators;

/// <summary>Canonical host names: lower case, no trailing dot, internationalised labels in punycode.</summary>
internal static class DomainText
{
    private const int MaxName = 253;
    private const int MaxLabel = 63;

    /// <summary>
    /// Writes the canonical form of <paramref name="name"/>, or gives the <paramref name="reason"/> it is not a host name.
    /// <paramref name="requireDot"/> is false only for hosts of URLs with an explicit scheme ("http://intranet/"): a
    /// bare single word is far more often noise than a domain.
    /// </summary>
    public static bool TryNormalize(ReadOnlySpan<char> name, bool requireDot, ref CharBuilder output, [NotNullWhen(false)] out string? reason)
    {
        if (!Ascii.IsValid(name))
        {
            if (!TryToAscii(name, out var ascii, out reason))
            {
                return false;
            }

            name = ascii;
        }

        // "example.com." is the absolute form of the same name.
        var host = name.TrimEnd('.');
        if (host.IsEmpty)
        {
            reason = "empty name";
            return false;
        }

        var bad = host.IndexOfAnyExcept(CharSets.HostChars);
        if (bad >= 0)
        {
            reason = $"invalid character '{host[bad]}'";
            return false;
        }

        if (host.Length > MaxName)
        {
            reason = $"longer than {MaxName} characters";
            return false;
        }

        var labels = 0;
        var lastLabel = ReadOnlySpan<char>.Empty;
        foreach (var range in host.Split('.'))
        {
            var label = host[range];
            if (label.IsEmpty)
            {
                reason = "empty label";
                return false;
            }

            if (label.Length > MaxLabel)
            {
                reason = $"label longer than {MaxLabel} characters";
                return false;
            }

            labels++;
            lastLabel = label;
        }

        if (requireDot && labels < 2)
        {
            reason = "a domain needs at least two labels";
            return false;
        }

        // An all-numeric last label is what a mistyped IPv4 address looks like, never a real top-level domain.
        if (CharSets.IsAll(lastLabel, CharSets.Decimal))
        {
            reason = "top-level label is numeric";
            return false;
        }

        output.AppendAsciiLower(host);
        reason = null;
        return true;
    }

    /// <summary>
    /// IDNA to-ASCII. The project runs with InvariantGlobalization, where <see cref="IdnMapping"/> only encodes
    /// punycode and does not apply the UTS 46 mapping; the mappings that occur in practice (case, ideographic and
    /// full-width full stops, full-width ASCII) are applied here first. Decomposed input (e.g. "u" + U+0308) is not
    /// composed, as Unicode normalisation is unavailable in that mode.
    /// </summary>
    private static bool TryToAscii(ReadOnlySpan<char> name, out string ascii, [NotNullWhen(false)] out string? reason)
    {
        ascii = string.Empty;
        Span<char> mapped = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            mapped[i] = c switch
            {
                '\u3002' or '\uFF0E' or '\uFF61' => '.',
                >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
                _ => c,
            };
        }

        Span<char> lower = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        mapped.ToLowerInvariant(lower);

        foreach (var rune in ((ReadOnlySpan<char>)lower).EnumerateRunes())
        {
            if (rune.IsAscii)
            {
                continue;
            }

            var category = Rune.GetUnicodeCategory(rune);
            var allowed = category is <= UnicodeCategory.DecimalDigitNumber
                or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber or UnicodeCategory.OtherSymbol;
            if (!allowed || rune.Value == 0xFFFD)
            {
                reason = $"invalid character U+{rune.Value:X4}";
                return false;
            }
        }

        try
        {
            ascii = new IdnMapping().GetAscii(lower.TrimEnd('.').ToString());
        }
        catch (ArgumentException)
        {
            reason = "not a valid internationalised name";
            return false;
        }

        reason = null;
        return true;
    }
}
