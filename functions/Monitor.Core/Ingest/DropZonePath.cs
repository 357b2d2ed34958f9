using System.Text;

namespace Monitor.Core.Ingest;

/// <summary>
/// Where a blob sits in the drop zone decides what it is: requests/... is a request register,
/// incidents/&lt;source&gt;/... an incident feed from that source. Anything else, and any name with path
/// tricks, is refused (and quarantined by the ingestor).
/// </summary>
public sealed record DropZonePath(FeedKind Kind, string Source)
{
    public const string RequestsSource = "requests";

    public static bool TryParse(string blobName, out DropZonePath path, out string error)
    {
        path = new DropZonePath(FeedKind.Requests, RequestsSource);
        if (string.IsNullOrEmpty(blobName))
        {
            error = "empty blob name";
            return false;
        }
        foreach (var c in blobName)
        {
            if (char.IsControl(c) || c == '\\' || c == '\uFFFD' || IsBidiControl(c) || char.IsSurrogate(c) && !IsValidUtf16(blobName))
            {
                error = $"blob name contains a control, backslash, bidirectional-override or invalid character (U+{(int)c:X4})";
                return false;
            }
        }
        var segments = blobName.Split('/');
        if (segments.Any(s => s is "" or "." or ".."))
        {
            error = "blob name has an empty, '.' or '..' path segment";
            return false;
        }
        if (segments[0] == "requests" && segments.Length >= 2)
        {
            error = "";
            return true;
        }
        if (segments[0] == "incidents" && segments.Length >= 3)
        {
            var source = segments[1].ToLowerInvariant();
            if (source.Length > 64 || !source.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.'))
            {
                error = $"source folder '{segments[1]}' must be 1-64 letters, digits, '-', '_' or '.'";
                return false;
            }
            path = new DropZonePath(FeedKind.Incidents, source);
            error = "";
            return true;
        }
        error = "blob is not under requests/ or incidents/<source>/";
        return false;
    }

    /// <summary>Marks that reorder how a name is displayed ("feed\u202Evsc.csv" shows as "feedcsv.csv"): a spoofing trick.</summary>
    private static bool IsBidiControl(char c) => c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    private static bool IsValidUtf16(string value)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetByteCount(value);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }
}
