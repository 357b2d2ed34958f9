using Monitor.Core.Feeds;

namespace Monitor.Core.Ingest;

/// <summary>
/// Bounds on text the ingest stores whole in table columns. Table Storage holds at most 64 KiB (32 K UTF-16 characters)
/// in one string property and refuses the whole batch otherwise, which would fail the file again on every retry; so a
/// value that cannot be stored whole is refused here with its reason instead (a record or request to Rejects, an
/// indicator or reference skipped with a warning). Free text (summaries, mitigation) is cut, not refused.
/// </summary>
internal static class StoredText
{
    /// <summary>What one table column can hold, with room to spare for the separators around it.</summary>
    public const int MaxColumnChars = 32_000;

    /// <summary>Record IDs, reporters and kinds are identities, stored whole in several tables.</summary>
    public const int MaxRecordIdChars = 1000;
    public const int MaxNameChars = 200;

    /// <summary>One normalised indicator (type:value), as the Matches table and the request's list store it.</summary>
    public const int MaxIndicatorChars = 4096;

    /// <summary>Why a feed record cannot be stored whole, or null.</summary>
    public static string? RecordProblem(FeedRecord record) =>
        record.RecordId.Length > MaxRecordIdChars ? $"record_id is {record.RecordId.Length} characters, longer than the {MaxRecordIdChars} an ID may have"
        : record.Reporter?.Length > MaxNameChars ? $"reporter is {record.Reporter.Length} characters, longer than {MaxNameChars}"
        : record.Kind?.Length > MaxNameChars ? $"kind is {record.Kind.Length} characters, longer than {MaxNameChars}"
        : null;

    /// <summary>Why a request cannot be stored whole, or null.</summary>
    public static string? RequestProblem(RequestRecord request, string formattedIndicators) =>
        request.Category.Length > MaxNameChars ? $"category is {request.Category.Length} characters, longer than {MaxNameChars}"
        : formattedIndicators.Length > MaxColumnChars ? $"the request's indicators take {formattedIndicators.Length} characters, more than the {MaxColumnChars} a table column holds"
        : null;

    /// <summary>A reference longer than any request ID can never match one (see <see cref="RequestRegisterParser.MaxRequestIdLength"/>).</summary>
    public static bool IsPossibleRequestId(string reference) => reference.Length <= RequestRegisterParser.MaxRequestIdLength;

    /// <summary>Cuts free text to <paramref name="max"/> characters, marking the cut.</summary>
    public static string Truncate(string value, int max) => value.Length <= max ? value : value[..max] + "…";
}
