using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Monitor.Core.Indicators;

/// <summary>
/// Canonical URLs (RFC 3986 section 6 syntax-based normalisation, limited to what is safe for matching): lower-case
/// scheme and host, canonical IP hosts, no default port, dot-segments removed, fragment dropped, empty path "/".
/// Path and query are otherwise kept byte for byte, since servers may treat case and escapes in them as significant.
/// </summary>
internal static class UrlText
{
    private const int MaxScheme = 32;

    /// <summary>
    /// <paramref name="url"/> either has a scheme ("scheme://...") or is a scheme-less "host/path" or "host:port",
    /// which is taken as http. A scheme-less host must be an IP or a domain with a dot, so that "foo/bar" is not a URL.
    /// </summary>
    public static bool TryNormalize(ReadOnlySpan<char> url, ref CharBuilder output, [NotNullWhen(false)] out string? error)
    {
        if (url.ContainsAny(CharSets.ControlOrSpace))
        {
            error = $"URL contains whitespace or control characters: {IndicatorText.Shorten(url)}";
            return false;
        }

        var start = output.Length;
        var separator = url.IndexOf("://", StringComparison.Ordinal);
        var explicitScheme = separator >= 0;
        var rest = explicitScheme ? url[(separator + 3)..] : url;
        if (explicitScheme)
        {
            var scheme = url[..separator];
            if (!IsScheme(scheme))
            {
                error = $"not a valid URL scheme '{IndicatorText.Shorten(scheme)}': {IndicatorText.Shorten(url)}";
                return false;
            }

            Span<char> lower = stackalloc char[scheme.Length];
            Ascii.ToLower(scheme, lower, out _);
            output.Append(Refang.Scheme(lower));
        }
        else
        {
            output.Append("http");
        }

        var fragment = rest.IndexOf('#');
        if (fragment >= 0)
        {
            rest = rest[..fragment];
        }

        var authorityEnd = rest.IndexOfAny('/', '?');
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        var tail = authorityEnd < 0 ? [] : rest[authorityEnd..];

        var userEnd = authority.LastIndexOf('@');
        var hostAndPort = authority[(userEnd + 1)..];
        if (!SplitHostPort(hostAndPort, out var host, out var port, out var bracketed))
        {
            error = $"not a valid URL host: {IndicatorText.Shorten(hostAndPort)} in {IndicatorText.Shorten(url)}";
            return false;
        }

        if (host.IsEmpty)
        {
            error = $"URL has no host: {IndicatorText.Shorten(url)}";
            return false;
        }

        var defaultPort = DefaultPort(output.Written[start..]);
        output.Append("://");

        // An empty user info ("http://@host/") says nothing, so it is dropped.
        if (userEnd > 0)
        {
            output.Append(authority[..(userEnd + 1)]);
        }

        if (!TryAppendHost(host, bracketed, explicitScheme, ref output, out error))
        {
            error = $"{error} in URL {IndicatorText.Shorten(url)}";
            return false;
        }

        if (!port.IsEmpty)
        {
            var number = port.Length <= 5 && CharSets.IsAll(port, CharSets.Decimal) ? IndicatorText.ParseDigits(port) : -1;
            if (number is < 0 or > 65535)
            {
                error = $"not a valid port '{IndicatorText.Shorten(port)}' in URL {IndicatorText.Shorten(url)}";
                return false;
            }

            if (number != defaultPort)
            {
                output.Append(':');
                output.AppendNumber(number);
            }
        }

        var queryStart = tail.IndexOf('?');
        var path = queryStart < 0 ? tail : tail[..queryStart];
        if (path.IsEmpty)
        {
            output.Append('/');
        }
        else if (path.Contains("/.", StringComparison.Ordinal))
        {
            RemoveDotSegments(path, ref output);
        }
        else
        {
            output.Append(path);
        }

        if (queryStart >= 0)
        {
            output.Append(tail[queryStart..]);
        }

        error = null;
        return true;
    }

    /// <summary>RFC 3986 section 5.2.4 for an absolute path: "." segments go, ".." removes the segment before it.</summary>
    internal static void RemoveDotSegments(ReadOnlySpan<char> path, ref CharBuilder output)
    {
        var root = output.Length;
        var i = 0;
        while (i < path.Length)
        {
            // path[i] is '/' here: the path starts with one and every segment ends at one.
            var next = path[(i + 1)..].IndexOf('/');
            var end = next < 0 ? path.Length : i + 1 + next;
            var segment = path[(i + 1)..end];
            var last = end == path.Length;
            if (segment is ".")
            {
                if (last)
                {
                    output.Append('/');
                }
            }
            else if (segment is "..")
            {
                var written = output.Written[root..];
                var cut = written.LastIndexOf('/');
                output.Length = root + Math.Max(cut, 0);
                if (last)
                {
                    output.Append('/');
                }
            }
            else
            {
                output.Append('/');
                output.Append(segment);
            }

            i = end;
        }
    }

    private static bool TryAppendHost(ReadOnlySpan<char> host, bool bracketed, bool explicitScheme, ref CharBuilder output, [NotNullWhen(false)] out string? error)
    {
        if (bracketed)
        {
            if (!IpText.TryParseV6(host, out var v6, out error))
            {
                return false;
            }

            output.Append('[');
            IpText.FormatV6(v6, ref output);
            output.Append(']');
            return true;
        }

        if (CharSets.IsAll(host, CharSets.DigitsAndDots))
        {
            switch (IpText.ParseV4(host, out _))
            {
                case Ipv4Parse.Valid:
                    output.Append(host);
                    error = null;
                    return true;
                case Ipv4Parse.LeadingZero:
                    error = $"ambiguous leading zero in IPv4 address: {IndicatorText.Shorten(host)}";
                    return false;
                default:
                    error = $"not a valid IPv4 address: {IndicatorText.Shorten(host)}";
                    return false;
            }
        }

        if (!DomainText.TryNormalize(host, requireDot: !explicitScheme, ref output, out var reason))
        {
            error = $"not a valid host: {IndicatorText.Shorten(host)} ({reason})";
            return false;
        }

        error = null;
        return true;
    }

    private static bool SplitHostPort(ReadOnlySpan<char> hostAndPort, out ReadOnlySpan<char> host, out ReadOnlySpan<char> port, out bool bracketed)
    {
        host = hostAndPort;
        port = [];
        bracketed = hostAndPort.StartsWith('[');
        if (bracketed)
        {
            var close = hostAndPort.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            host = hostAndPort[1..close];
            var after = hostAndPort[(close + 1)..];
            if (after.IsEmpty)
            {
                return true;
            }

            port = after[1..];
            return after[0] == ':';
        }

        var colon = hostAndPort.IndexOf(':');
        if (colon < 0)
        {
            return true;
        }

        host = hostAndPort[..colon];
        port = hostAndPort[(colon + 1)..];

        // A second colon means an IPv6 address without the brackets RFC 3986 requires.
        return !port.Contains(':');
    }

    private static bool IsScheme(ReadOnlySpan<char> scheme)
    {
        if (scheme.IsEmpty || scheme.Length > MaxScheme || !char.IsAsciiLetter(scheme[0]))
        {
            return false;
        }

        foreach (var c in scheme)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '+' and not '-' and not '.')
            {
                return false;
            }
        }

        return true;
    }

    private static int DefaultPort(ReadOnlySpan<char> scheme) => scheme switch
    {
        "http" or "ws" => 80,
        "https" or "wss" => 443,
        "ftp" => 21,
        _ => -1,
    };
}
