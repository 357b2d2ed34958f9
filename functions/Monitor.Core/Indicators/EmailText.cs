using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Monitor.Core.Indicators;

/// <summary>Canonical e-mail addresses: the whole address folded to lower case (product decision: providers treat
/// local parts case-insensitively in practice, and feeds disagree on case), domain in punycode.</summary>
internal static class EmailText
{
    private const int MaxLocal = 64;

    // Characters that cannot appear unquoted in a local part; quoted local parts are not supported.
    private static readonly SearchValues<char> Forbidden = SearchValues.Create(" \t\r\n\"(),:;<>[\\]@");

    public static bool TryNormalize(ReadOnlySpan<char> address, ref CharBuilder output, [NotNullWhen(false)] out string? error)
    {
        var at = address.IndexOf('@');
        var local = address[..at];
        var domain = address[(at + 1)..];
        string? reason = null;
        if (local.IsEmpty)
        {
            reason = "empty local part";
        }
        else if (local.Length > MaxLocal)
        {
            reason = $"local part longer than {MaxLocal} characters";
        }
        else if (domain.Contains('@'))
        {
            reason = "more than one '@'";
        }
        else if (local.ContainsAny(Forbidden) || local.ContainsAny(CharSets.ControlOrSpace))
        {
            reason = "invalid character in local part";
        }

        if (reason is null)
        {
            if (Ascii.IsValid(local))
            {
                output.AppendAsciiLower(local);
            }
            else
            {
                local.ToLowerInvariant(output.AppendSpan(local.Length));
            }

            output.Append('@');
            if (DomainText.TryNormalize(domain, requireDot: true, ref output, out var domainReason))
            {
                error = null;
                return true;
            }

            reason = $"domain: {domainReason}";
        }

        error = $"not a valid e-mail address: {IndicatorText.Shorten(address)} ({reason})";
        return false;
    }
}
