using System.Text.Json;

namespace Monitor.Core.Feeds;

/// <summary>
/// JSON can spell half of a UTF-16 surrogate pair with an escape ("\ud800") where no UTF-8 file could hold it; such a
/// string cannot become .NET text, table keys or columns (reading it throws). Records that hold one are rejected.
/// </summary>
internal static class JsonSurrogates
{
    public const string Reason = "a string holds an unpaired UTF-16 surrogate escape (such as \\ud800 alone), which is not text";

    /// <summary>The reason to reject the value, or null. Cheap unless the raw text has a \uD8xx-\uDFxx escape.</summary>
    public static string? Check(ReadOnlySpan<byte> raw, JsonElement value) => MayHaveOne(raw) && !IsText(value) ? Reason : null;

    private static bool MayHaveOne(ReadOnlySpan<byte> raw)
    {
        for (var at = raw.IndexOf(@"\u"u8); at >= 0 && at + 3 < raw.Length; )
        {
            if (raw[at + 2] is (byte)'d' or (byte)'D' && raw[at + 3] is (>= (byte)'8' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F'))
            {
                return true;
            }

            var next = raw[(at + 2)..].IndexOf(@"\u"u8);
            at = next < 0 ? -1 : at + 2 + next;
        }

        return false;
    }

    private static bool IsText(JsonElement value)
    {
        try
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    _ = value.GetString();
                    return true;
                case JsonValueKind.Array:
                    return value.EnumerateArray().All(IsText);
                case JsonValueKind.Object:
                    // Reading Name throws for a key that is not text, as GetString does for a value.
                    return value.EnumerateObject().All(p => p.Name is not null && IsText(p.Value));
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
