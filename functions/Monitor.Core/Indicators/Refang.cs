namespace Monitor.Core.Indicators;

/// <summary>Undoes the bracket defanging that threat-intel feeds apply so that values cannot be clicked or resolved.</summary>
internal static class Refang
{
    // Token -> replacement. Matched case-insensitively at an opening bracket. Every replacement is no longer than its
    // token, so the refanged value never outgrows the input.
    private static readonly (string Token, string Replacement)[] Tokens =
    [
        ("[.]", "."), ("(.)", "."), ("{.}", "."),
        ("[dot]", "."), ("(dot)", "."), ("{dot}", "."),
        ("[@]", "@"), ("(@)", "@"), ("{@}", "@"),
        ("[at]", "@"), ("(at)", "@"), ("{at}", "@"),
        ("[:]", ":"), ("[://]", "://"), ("[/]", "/"),
    ];

    /// <summary>Where the first possible defang token starts, or -1: one vectorised scan settles the common case.</summary>
    public static int FirstBracket(ReadOnlySpan<char> text) => text.IndexOfAny('[', '(', '{');

    /// <summary>
    /// Refangs <paramref name="text"/>, whose first bracket is at <paramref name="first"/>, into
    /// <paramref name="buffer"/>; returns <paramref name="text"/> itself when no bracket starts a token.
    /// </summary>
    public static ReadOnlySpan<char> Apply(ReadOnlySpan<char> text, int first, ref CharBuilder buffer)
    {
        var changed = false;
        var i = 0;
        var next = first;
        while (next >= 0)
        {
            var at = i + next;
            buffer.Append(text[i..at]);
            if (TryMatch(text[at..], out var tokenLength, out var replacement))
            {
                buffer.Append(replacement);
                i = at + tokenLength;
                changed = true;
            }
            else
            {
                buffer.Append(text[at]);
                i = at + 1;
            }

            next = text[i..].IndexOfAny('[', '(', '{');
        }

        buffer.Append(text[i..]);

        return changed ? buffer.Written : text;
    }

    private static bool TryMatch(ReadOnlySpan<char> at, out int tokenLength, out string replacement)
    {
        foreach (var (token, value) in Tokens)
        {
            if (at.StartsWith(token, StringComparison.OrdinalIgnoreCase))
            {
                tokenLength = token.Length;
                replacement = value;
                return true;
            }
        }

        tokenLength = 0;
        replacement = string.Empty;
        return false;
    }

    /// <summary>Maps defanged URL schemes (hxxp, hXXps, fxp) to the real ones; other schemes come back unchanged.</summary>
    public static ReadOnlySpan<char> Scheme(ReadOnlySpan<char> lowerScheme) => lowerScheme switch
    {
        "hxxp" or "hxtp" or "hxxxp" => "http",
        "hxxps" or "hxtps" or "hxxxps" => "https",
        "fxp" => "ftp",
        "fxps" => "ftps",
        _ => lowerScheme,
    };
}
