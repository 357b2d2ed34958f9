using Monitor.Core.Indicators;

namespace Monitor.Core.Feeds;

/// <summary>
/// Finds indicators in free text, the way MISP's freetext import does: the text is cut into tokens at whitespace and
/// punctuation that never occurs inside an indicator, each token is refanged and normalised like any indicator, and
/// only tokens that are one whole are kept. Dates, times, version strings ("1.2.3", "v2.0"), numbers, plain words and
/// file names ("invoice.pdf") are not indicators. The warninglist and over-match cap apply later, as for every value.
/// </summary>
internal static class FreetextIndicators
{
    private static readonly char[] Separators = [' ', '\t', '\r', '\n', ',', ';', '|', '"', '\'', '<', '>', '(', ')', '{', '}', '`'];

    /// <summary>File extensions that are not top-level domains people register malware on.</summary>
    private static readonly HashSet<string> FileExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        "exe", "dll", "pdf", "doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "txt", "vbs", "ps1", "bat", "cmd",
        "jpg", "jpeg", "png", "gif", "json", "xml", "csv", "lnk", "iso", "msi", "bin", "jar", "apk", "tmp", "log", "dat",
        "ini", "sys", "js", "hta", "scr", "elf", "rtf", "html", "htm", "php", "aspx", "dmg", "img", "vhd", "gz", "tar", "7z", "rar",
    };

    public static IEnumerable<RawIndicator> Extract(string text)
    {
        foreach (var piece in text.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            var token = piece.Trim('.', ':', '!', '?', '*');
            if (token.Length < 4 || !Plausible(token) || FeedFieldParsing.TryParseFeedTime("", token, null, out _, out _))
            {
                continue;
            }

            if (IndicatorNormalizer.TryNormalize(token, out var indicator, out _) && IsWhole(indicator))
            {
                yield return new RawIndicator(token);
            }
        }
    }

    /// <summary>Only tokens with the shape of an indicator are normalised: a dot, colon, '@' or '/', or a hash's length of hex.</summary>
    private static bool Plausible(string token) =>
        token.AsSpan().IndexOfAny('.', ':', '@') >= 0 || token.Contains("[.]", StringComparison.Ordinal) || token.Contains('/')
        || (token.Length is 32 or 40 or 64 or 128 && !token.AsSpan().ContainsAnyExcept("0123456789abcdefABCDEF"));

    private static bool IsWhole(Indicator indicator)
    {
        if (indicator.Type != IndicatorType.Domain)
        {
            return true;
        }

        // A domain's last label is letters (or punycode): "1.2.3" and "v2.0" are versions, "setup.exe" a file name.
        var tld = indicator.Value[(indicator.Value.LastIndexOf('.') + 1)..];
        return tld.Length >= 2 && (tld.StartsWith("xn--", StringComparison.Ordinal) || !tld.AsSpan().ContainsAnyExceptInRange('a', 'z'))
            && !FileExtensions.Contains(tld);
    }
}
