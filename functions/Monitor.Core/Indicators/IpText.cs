using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Monitor.Core.Indicators;

internal enum Ipv4Parse : byte
{
    Valid,
    Invalid,
    LeadingZero,
}

/// <summary>Strict parsing and canonical printing of IP addresses.</summary>
internal static class IpText
{
    /// <summary>
    /// Parses exactly four decimal octets. Unlike <see cref="IPAddress.TryParse(string, out IPAddress)"/> it refuses
    /// the legacy short forms ("1.2.3" = 1.2.0.3, "3232235777") and, by product decision, octets with a leading zero
    /// ("010.1.1.1"): inet_aton reads those as octal (8) and most other tools as decimal (10), so any one canonical
    /// form would silently match the wrong host for half the feeds.
    /// </summary>
    public static Ipv4Parse ParseV4(ReadOnlySpan<char> s, out uint value)
    {
        value = 0;
        var parts = 0;
        var leadingZero = false;
        var i = 0;
        while (true)
        {
            var start = i;
            var octet = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                if (i - start == 3)
                {
                    return Ipv4Parse.Invalid;
                }

                octet = (octet * 10) + (s[i] - '0');
                i++;
            }

            if (i == start || octet > 255)
            {
                return Ipv4Parse.Invalid;
            }

            leadingZero |= s[start] == '0' && i - start > 1;
            value = (value << 8) | (uint)octet;
            parts++;
            if (i == s.Length)
            {
                break;
            }

            if (s[i] != '.' || parts == 4)
            {
                return Ipv4Parse.Invalid;
            }

            i++;
        }

        if (parts != 4)
        {
            return Ipv4Parse.Invalid;
        }

        return leadingZero ? Ipv4Parse.LeadingZero : Ipv4Parse.Valid;
    }

    public static void FormatV4(uint value, ref CharBuilder output)
    {
        for (var shift = 24; shift >= 0; shift -= 8)
        {
            output.AppendNumber((int)((value >> shift) & 0xFF));
            if (shift > 0)
            {
                output.Append('.');
            }
        }
    }

    /// <summary>
    /// Parses an IPv6 address written without brackets (RFC 4291 section 2.2: up to eight groups of one to four hex
    /// digits, one "::", an optional dotted IPv4 tail). Zone ids ("fe80::1%eth0") are refused: they name an
    /// interface of the machine that wrote the feed, so they mean nothing here and would split one address into many.
    /// Written by hand rather than with <see cref="IPAddress"/> so that the hot path allocates nothing.
    /// </summary>
    public static bool TryParseV6(ReadOnlySpan<char> s, out UInt128 value, [NotNullWhen(false)] out string? error)
    {
        if (TryParseV6(s, out value))
        {
            error = null;
            return true;
        }

        error = s.Contains('%')
            ? $"IPv6 zone ids are not supported: {IndicatorText.Shorten(s)}"
            : $"not a valid IPv6 address: {IndicatorText.Shorten(s)}";
        return false;
    }

    private static bool TryParseV6(ReadOnlySpan<char> s, out UInt128 value)
    {
        value = UInt128.Zero;
        Span<ushort> words = stackalloc ushort[8];
        var count = 0;
        var gap = -1;
        var i = 0;
        if (s.StartsWith("::"))
        {
            gap = 0;
            i = 2;
        }

        while (i < s.Length)
        {
            var start = i;
            var word = 0;
            while (i < s.Length && char.IsAsciiHexDigit(s[i]) && i - start < 5)
            {
                word = (word << 4) | HexValue(s[i]);
                i++;
            }

            if (i < s.Length && s[i] == '.')
            {
                // Dotted IPv4 tail: takes the last two groups and must end the address.
                if (count > 6 || ParseV4(s[start..], out var v4) != Ipv4Parse.Valid)
                {
                    return false;
                }

                words[count++] = (ushort)(v4 >> 16);
                words[count++] = (ushort)v4;
                i = s.Length;
                break;
            }

            if (i == start || i - start > 4 || count == 8)
            {
                return false;
            }

            words[count++] = (ushort)word;
            if (i == s.Length)
            {
                break;
            }

            if (s[i] != ':' || ++i == s.Length)
            {
                return false;
            }

            if (s[i] == ':')
            {
                if (gap >= 0)
                {
                    return false;
                }

                gap = count;
                i++;
            }
        }

        if (gap < 0 ? count != 8 : count > 7)
        {
            return false;
        }

        // The groups after "::" belong at the end; the gap between is zeros.
        for (var w = 0; w < 8; w++)
        {
            var source = gap < 0 || w < gap ? w : w - (8 - count);
            var group = gap >= 0 && w >= gap && source < gap ? 0 : words[source];
            value = (value << 16) | (ushort)group;
        }

        return true;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>
    /// Prints RFC 5952 form (lower case, no leading zeros, longest run of two or more zero groups as "::", the first
    /// on a tie) exactly as <see cref="IPAddress.ToString"/> does, including its dotted IPv4 tail for the mapped
    /// (::ffff:0:0/96), compatible, SIIT and ISATAP forms, so values agree with anything else printed by .NET.
    /// </summary>
    public static void FormatV6(UInt128 value, ref CharBuilder output)
    {
        Span<ushort> words = stackalloc ushort[8];
        for (var w = 7; w >= 0; w--)
        {
            words[w] = (ushort)value;
            value >>= 16;
        }

        if (HasIpv4Tail(words))
        {
            AppendGroups(words[..6], ref output);
            if (output.Written[^1] != ':')
            {
                output.Append(':');
            }

            FormatV4(((uint)words[6] << 16) | words[7], ref output);
        }
        else
        {
            AppendGroups(words, ref output);
        }
    }

    // Mirrors System.Net.IPv6AddressHelper.ShouldHaveIpv4Embedded.
    private static bool HasIpv4Tail(ReadOnlySpan<ushort> w)
    {
        if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[6] != 0
            && ((w[4] == 0 && (w[5] == 0 || w[5] == 0xFFFF)) || (w[4] == 0xFFFF && w[5] == 0)))
        {
            return true;
        }

        return w[4] == 0 && w[5] == 0x5EFE;
    }

    private static void AppendGroups(scoped ReadOnlySpan<ushort> words, ref CharBuilder output)
    {
        int runStart = -1, runLength = 0, current = 0;
        for (var w = 0; w < words.Length; w++)
        {
            current = words[w] == 0 ? current + 1 : 0;
            if (current > runLength)
            {
                runLength = current;
                runStart = w - current + 1;
            }
        }

        if (runLength < 2)
        {
            runStart = -1;
        }

        var separate = false;
        for (var w = 0; w < words.Length; w++)
        {
            if (w == runStart)
            {
                output.Append("::");
                separate = false;
                w += runLength - 1;
                continue;
            }

            if (separate)
            {
                output.Append(':');
            }

            separate = true;
            var span = output.AppendSpan(4);
            words[w].TryFormat(span, out var written, "x", CultureInfo.InvariantCulture);
            output.Length -= 4 - written;
        }
    }

    public static UInt128 Mask(int prefixLength, int bits)
    {
        // Shifting by the full width is undefined for the operators, so /0 is handled apart.
        if (prefixLength == 0)
        {
            return UInt128.Zero;
        }

        var all = bits == 32 ? (UInt128)uint.MaxValue : UInt128.MaxValue;
        return (all << (bits - prefixLength)) & all;
    }
}
