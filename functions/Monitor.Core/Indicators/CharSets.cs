using System.Buffers;

namespace Monitor.Core.Indicators;

/// <summary>Vectorised character sets for the scans that classify a value without regular expressions.</summary>
internal static class CharSets
{
    public static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    public static readonly SearchValues<char> Decimal = SearchValues.Create("0123456789");

    /// <summary>C0 controls, space and DEL: never part of a URL or an address as written in a feed.</summary>
    public static readonly SearchValues<char> ControlOrSpace = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F \u007F");

    public static readonly SearchValues<char> DigitsAndDots = SearchValues.Create("0123456789.");

    /// <summary>Characters allowed in an ASCII host name: letters, digits, hyphen, underscore, dot. Deliberately
    /// more lenient than LDH: underscores and edge hyphens occur in real (often malicious) subdomains, and refusing
    /// them would lose matches while both sides of a comparison are normalised the same way anyway.</summary>
    public static readonly SearchValues<char> HostChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");

    // The generic ContainsAny*InRange helpers allocate on every call in .NET 10 (measured), so the hot path uses
    // SearchValues for digit and control-character checks.
    public static bool IsAll(ReadOnlySpan<char> s, SearchValues<char> set) => !s.IsEmpty && !s.ContainsAnyExcept(set);
}
