using System.Diagnostics.CodeAnalysis;

namespace Monitor.Core.Indicators;

/// <summary>
/// Turns an indicator as a feed wrote it into its canonical <see cref="Indicator"/>, so that equal indicators compare
/// equal as strings. Runs on every value of large feeds: it scans instead of using regular expressions, works on
/// stack buffers, and allocates only the result string (none at all when the input is already canonical).
/// </summary>
/// <remarks>
/// Steps: trim; refang ("[.]", "(dot)", "[at]", "[:]", "[://]", "hxxp", ...); take the type from a "type:value" prefix
/// or <see cref="RawIndicator.Hint"/>; detect the type from the value; normalise it; check it against the declared
/// type. Bad values give a short reason and never throw.
/// </remarks>
internal static class IndicatorNormalizer
{
    private const int StackChars = 256;

    public static bool TryNormalize(string value, out Indicator indicator, [NotNullWhen(false)] out string? error) =>
        TryNormalize(new RawIndicator(value), out indicator, out error);

    public static bool TryNormalize(RawIndicator raw, out Indicator indicator, [NotNullWhen(false)] out string? error)
    {
        indicator = default;
        var declared = Expectation.None;
        if (raw.Hint is { } hint)
        {
            declared = TypePrefix.FromType(hint);
            if (declared == Expectation.None)
            {
                error = $"unknown declared type {(int)hint}";
                return false;
            }
        }

        // default(RawIndicator) has a null value despite the annotation.
        var source = raw.Value ?? string.Empty;
        var trimmed = source.AsSpan().Trim();
        if (trimmed.IsEmpty)
        {
            error = "empty value";
            return false;
        }

        // Stack memory is zeroed on entry, so the refang buffer is only taken when the value has a bracket at all.
        var bracket = Refang.FirstBracket(trimmed);
        var refanged = new CharBuilder(bracket >= 0 ? stackalloc char[StackChars] : default);
        var output = new CharBuilder(stackalloc char[StackChars]);
        try
        {
            var text = bracket < 0 ? trimmed : Refang.Apply(trimmed, bracket, ref refanged);
            var expected = declared;
            var body = text;
            switch (TypePrefix.Split(text, out var prefixed, out var prefixName, out var rest))
            {
                case PrefixResult.Unsupported:
                    error = $"unsupported type prefix '{IndicatorText.Shorten(prefixName)}'";
                    return false;
                case PrefixResult.Found:
                    if (declared != Expectation.None && !TypePrefix.Agree(prefixed, declared))
                    {
                        error = $"type prefix '{IndicatorText.Shorten(prefixName)}' contradicts declared type {IndicatorTypes.Name(raw.Hint!.Value)}";
                        return false;
                    }

                    if (rest.IsEmpty)
                    {
                        error = $"empty value after type prefix '{IndicatorText.Shorten(prefixName)}'";
                        return false;
                    }

                    // The prefix is the more specific of the two ("ipv4" narrows a declared "ip").
                    expected = prefixed;
                    body = rest;
                    break;
            }

            if (!TryDetect(body, ref output, out var type, out var isV6, out error))
            {
                if (expected != Expectation.None)
                {
                    error = $"{error} (declared {DeclaredName(prefixName, raw.Hint)})";
                }

                return false;
            }

            if (!TypePrefix.Accepts(expected, type, isV6))
            {
                if (expected != Expectation.Url || type is not (IndicatorType.Domain or IndicatorType.Ip))
                {
                    error = $"value is {Describe(type, isV6)} but declared type is {DeclaredName(prefixName, raw.Hint)}: {IndicatorText.Shorten(body)}";
                    return false;
                }

                // A URL column holding a bare host means the site's root.
                AsRootUrl(ref output, isV6);
                type = IndicatorType.Url;
            }

            indicator = new Indicator(type, Materialize(output.Written, source));
            error = null;
            return true;
        }
        finally
        {
            refanged.Dispose();
            output.Dispose();
        }
    }

    /// <summary>A TCP/UDP port: 1 to 5 digits, at most 65535.</summary>
    private static bool IsPort(ReadOnlySpan<char> text) =>
        text.Length is >= 1 and <= 5 && CharSets.IsAll(text, CharSets.Decimal) && int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) <= 65535;

    private static bool TryDetect(ReadOnlySpan<char> s, ref CharBuilder output, out IndicatorType type, out bool isV6, [NotNullWhen(false)] out string? error)
    {
        type = IndicatorType.Url;
        isV6 = false;
        var shape = ValueShapes.Of(s);
        if ((shape & (ValueShape.Colon | ValueShape.Slash)) == (ValueShape.Colon | ValueShape.Slash) && s.Contains("://", StringComparison.Ordinal))
        {
            return UrlText.TryNormalize(s, ref output, out error);
        }

        if ((shape & ValueShape.Slash) != 0)
        {
            var slash = s.IndexOf('/');
            var address = s[..slash];
            var prefix = s[(slash + 1)..];
            // An address before "/digits" makes a range; "1.2.3.4:80/24" (one colon: a port) stays a URL.
            if (CharSets.IsAll(prefix, CharSets.Decimal)
                && (address.IndexOf(':') != address.LastIndexOf(':') || CharSets.IsAll(address, CharSets.DigitsAndDots)))
            {
                return TryCidr(address, prefix, ref output, out type, out isV6, out error);
            }

            return UrlText.TryNormalize(s, ref output, out error);
        }

        if ((shape & ValueShape.At) != 0)
        {
            type = IndicatorType.Email;
            return EmailText.TryNormalize(s, ref output, out error);
        }

        if ((shape & ValueShape.QueryOrFragment) != 0)
        {
            return UrlText.TryNormalize(s, ref output, out error);
        }

        if ((shape & ValueShape.Colon) != 0)
        {
            var colon = s.IndexOf(':');
            if (s[0] == '[')
            {
                // "[2001:db8::1]" alone is an address, and so is "[2001:db8::1]:8080" (the address a service listens on).
                var close = s.IndexOf(']');
                if (close != s.Length - 1 && !(close > 0 && s[close + 1] == ':' && IsPort(s[(close + 2)..])))
                {
                    return UrlText.TryNormalize(s, ref output, out error);
                }

                s = s[1..close];
            }
            else if (!s[(colon + 1)..].Contains(':'))
            {
                // One colon: "host:port" (an IPv6 address always has at least two). "192.0.2.1:443" is that address.
                if (IsPort(s[(colon + 1)..]) && CharSets.IsAll(s[..colon], CharSets.DigitsAndDots))
                {
                    type = IndicatorType.Ip;
                    return TryIpv4(s[..colon], ref output, out error);
                }

                return UrlText.TryNormalize(s, ref output, out error);
            }
            else if (!IpText.TryParseV6(s, out _, out _) && s.LastIndexOf(':') is var last && IsPort(s[(last + 1)..])
                && !s[..last].Contains("::", StringComparison.Ordinal) && IpText.TryParseV6(s[..last], out _, out _))
            {
                // "2001:db8:0:0:0:0:0:1:443": nine groups are a full address and a port; with "::" it could be either, so it stays an error.
                s = s[..last];
            }

            type = IndicatorType.Ip;
            isV6 = true;
            if (!IpText.TryParseV6(s, out var v6, out error))
            {
                return false;
            }

            IpText.FormatV6(v6, ref output);
            return true;
        }

        if ((shape & ValueShape.NonHex) == 0)
        {
            return TryHash(s, ref output, out type, out error);
        }

        if ((shape & ValueShape.NonDigitOrDot) == 0)
        {
            type = IndicatorType.Ip;
            return TryIpv4(s, ref output, out error);
        }

        if ((shape & (ValueShape.Dot | ValueShape.NonAscii)) != 0)
        {
            type = IndicatorType.Domain;
            if (!DomainText.TryNormalize(s, requireDot: true, ref output, out var reason))
            {
                error = $"not a valid domain: {IndicatorText.Shorten(s)} ({reason})";
                return false;
            }

            error = null;
            return true;
        }

        error = $"not a recognised indicator: {IndicatorText.Shorten(s)}";
        return false;
    }

    private static bool TryIpv4(ReadOnlySpan<char> s, ref CharBuilder output, [NotNullWhen(false)] out string? error)
    {
        switch (IpText.ParseV4(s, out _))
        {
            case Ipv4Parse.Valid:
                // The strict parser accepts only the canonical spelling, so the input is the output.
                output.Append(s);
                error = null;
                return true;
            case Ipv4Parse.LeadingZero:
                error = $"ambiguous leading zero in IPv4 address: {IndicatorText.Shorten(s)}";
                return false;
            default:
                error = $"not a valid IPv4 address: {IndicatorText.Shorten(s)}";
                return false;
        }
    }

    private static bool TryHash(ReadOnlySpan<char> hex, ref CharBuilder output, out IndicatorType type, [NotNullWhen(false)] out string? error)
    {
        switch (hex.Length)
        {
            case 32:
                type = IndicatorType.Md5;
                break;
            case 40:
                type = IndicatorType.Sha1;
                break;
            case 64:
                type = IndicatorType.Sha256;
                break;
            case 128:
                type = IndicatorType.Sha512;
                break;
            default:
                type = default;
                error = $"hex string of length {hex.Length} is not a known hash length";
                return false;
        }

        output.AppendAsciiLower(hex);
        error = null;
        return true;
    }

    /// <summary>A range with its host bits cleared; a full-length prefix is a single address and becomes an Ip.</summary>
    private static bool TryCidr(ReadOnlySpan<char> address, ReadOnlySpan<char> prefixText, ref CharBuilder output, out IndicatorType type, out bool isV6, [NotNullWhen(false)] out string? error)
    {
        type = IndicatorType.Cidr;
        isV6 = address.Contains(':');
        UInt128 value;
        if (isV6)
        {
            if (!IpText.TryParseV6(address, out value, out error))
            {
                return false;
            }
        }
        else
        {
            var parsed = IpText.ParseV4(address, out var v4);
            if (parsed != Ipv4Parse.Valid)
            {
                error = parsed == Ipv4Parse.LeadingZero
                    ? $"ambiguous leading zero in IPv4 address: {IndicatorText.Shorten(address)}"
                    : $"not a valid IPv4 address: {IndicatorText.Shorten(address)}";
                return false;
            }

            value = v4;
        }

        var bits = isV6 ? 128 : 32;
        var prefix = prefixText.Length <= 3 ? IndicatorText.ParseDigits(prefixText) : int.MaxValue;
        if (prefix > bits)
        {
            error = $"CIDR prefix length {IndicatorText.Shorten(prefixText)} is out of range 0-{bits}";
            return false;
        }

        var network = value & IpText.Mask(prefix, bits);
        if (isV6)
        {
            IpText.FormatV6(network, ref output);
        }
        else
        {
            IpText.FormatV4((uint)network, ref output);
        }

        if (prefix == bits)
        {
            type = IndicatorType.Ip;
        }
        else
        {
            output.Append('/');
            output.AppendNumber(prefix);
        }

        error = null;
        return true;
    }

    private static void AsRootUrl(ref CharBuilder output, bool isV6)
    {
        // Rare path (a declared URL holding a bare host), so a temporary string is fine.
        var host = output.Written.ToString();
        output.Length = 0;
        output.Append("http://");
        if (isV6)
        {
            output.Append('[');
            output.Append(host);
            output.Append(']');
        }
        else
        {
            output.Append(host);
        }

        output.Append('/');
    }

    private static string Describe(IndicatorType type, bool isV6) => type switch
    {
        IndicatorType.Ip => isV6 ? "an IPv6 address" : "an IPv4 address",
        IndicatorType.Cidr => isV6 ? "an IPv6 range" : "an IPv4 range",
        IndicatorType.Domain => "a domain",
        IndicatorType.Url => "a URL",
        IndicatorType.Email => "an e-mail address",
        IndicatorType.Md5 => "an md5 hash",
        _ => $"a {IndicatorTypes.Name(type)} hash",
    };

    private static string DeclaredName(ReadOnlySpan<char> prefixName, IndicatorType? hint) =>
        !prefixName.IsEmpty ? prefixName.ToString().ToLowerInvariant()
        : hint is { } type ? IndicatorTypes.Name(type)
        : "none";

    /// <summary>Hands back the caller's own string when normalising changed nothing, saving the allocation.</summary>
    private static string Materialize(ReadOnlySpan<char> value, string source) =>
        value.SequenceEqual(source) ? source : new string(value);
}
