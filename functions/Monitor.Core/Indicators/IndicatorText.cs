namespace Monitor.Core.Indicators;

/// <summary>Small text helpers shared by the indicator parsers.</summary>
internal static class IndicatorText
{
    private const int MaxQuoted = 100;

    /// <summary>Cuts long values in error messages so that one bad multi-kilobyte URL does not flood the rejects.</summary>
    public static string Shorten(ReadOnlySpan<char> s) =>
        s.Length <= MaxQuoted ? s.ToString() : string.Concat(s[..MaxQuoted], "…");

    /// <summary>Value of a short run of ASCII digits the caller has already checked.</summary>
    public static int ParseDigits(ReadOnlySpan<char> digits)
    {
        var value = 0;
        foreach (var c in digits)
        {
            value = (value * 10) + (c - '0');
        }

        return value;
    }
}
