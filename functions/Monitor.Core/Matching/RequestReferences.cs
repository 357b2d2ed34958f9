using System.Text.RegularExpressions;

namespace Monitor.Core.Matching;

/// <summary>
/// Which values a feed's reference field may hold as request references. A reference column or a STIX "request"
/// external reference is taken at its word, except for what can never be a request: identifiers of other catalogues
/// with a request-like shape (CVE, CWE, CAPEC, GHSA, ATT&amp;CK's T1059 / TA0002 / S0001 and the NIST Mobile Threat
/// Catalogue IDs ATT&amp;CK cites, APP-0 or ECO-12), and URLs (ThreatFox's "reference" is a report's address).
/// </summary>
internal static partial class RequestReferences
{
    public static bool IsPossible(string value)
    {
        var text = value.Trim();
        return text.Length > 0 && !text.Contains("://", StringComparison.Ordinal) && !ForeignId().IsMatch(text);
    }

    [GeneratedRegex(@"^(?:(?:CVE|CWE|CAPEC|CPE|GHSA|OSV|D3)-[0-9A-Z-]+|(?:T|TA|S|G|M|C|DS)\d{4}(?:\.\d{3})?|(?:APP|AUT|CEL|ECO|EMM|GPS|LPN|PAY|PHY|PRE|SPC|STA|SUP|UCS)-\d+)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ForeignId();
}
