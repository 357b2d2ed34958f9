using System.Globalization;
using Monitor.Core.Config;
using NodaTime;

namespace Monitor.Core.Feeds;

/// <summary>Field-level conversions shared by the CSV feed parser and the request register parser.</summary>
internal static class FeedFieldParsing
{
    /// <summary>
    /// Parses an ISO-8601 date-time that states its offset ('Z', ±hh:mm, ±hhmm or ±hh). A value without an
    /// offset is refused rather than guessed: the SLA clocks would silently shift by the sender's zone.
    /// </summary>
    public static bool TryParseTimestamp(string column, string value, out DateTimeOffset result, out string error)
    {
        var shape = ParseIso8601(value, out result);
        error = shape == TimestampShape.Valid ? "" : ShapeError(column, value, shape);
        return shape == TimestampShape.Valid;
    }

    private static string ShapeError(string column, string value, TimestampShape shape) => shape switch
    {
        TimestampShape.NoOffset => $"{column} '{Shorten(value)}' has no UTC offset",
        TimestampShape.OutOfRange => $"{column} '{Shorten(value)}' is not a valid date-time",
        _ => $"{column} '{Shorten(value)}' is not an ISO-8601 date-time",
    };

    /// <summary>
    /// Reads a feed's time as exports write it: ISO-8601 with or without an offset, "yyyy-MM-dd HH:mm[:ss]" with an
    /// optional " UTC", a date alone, Unix seconds (or milliseconds), or the source's own <see cref="SourceFormat.TimeFormat"/>.
    /// A time without an offset is read in the source's zone (default UTC, as abuse.ch and most feeds write them).
    /// </summary>
    public static bool TryParseFeedTime(string column, string value, SourceFormat? format, out DateTimeOffset result, out string error)
    {
        var text = value.AsSpan().Trim();
        var zone = format?.TimeZone ?? DateTimeZone.Utc;
        error = "";
        if (format?.TimeFormat is { } custom)
        {
            if (DateTimeOffset.TryParseExact(text, custom, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out result)
                && (custom.Contains('z') || custom.Contains('K')))
            {
                return true;
            }

            if (DateTime.TryParseExact(text, custom, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            {
                result = InZone(local, zone);
                return true;
            }
        }

        if (text.Length is >= 9 and <= 13 && CharsAreDigits(text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch))
        {
            // Ten digits are seconds until 2286; thirteen are milliseconds.
            result = text.Length >= 12 ? DateTimeOffset.FromUnixTimeMilliseconds(epoch) : DateTimeOffset.FromUnixTimeSeconds(epoch);
            return true;
        }

        var utcSuffix = text.EndsWith("UTC", StringComparison.OrdinalIgnoreCase) || text.EndsWith("GMT", StringComparison.OrdinalIgnoreCase);
        if (utcSuffix)
        {
            text = text[..^3].TrimEnd();
        }

        if (text.Length == 10 && text[4] == '-' && text[7] == '-')
        {
            // A date alone: midnight of that day.
            text = string.Concat(text, "T00:00:00");
        }

        var shape = ParseIso8601(text, out result);
        if (shape == TimestampShape.Valid && !utcSuffix)
        {
            return true;
        }

        if (shape == TimestampShape.NoOffset)
        {
            result = utcSuffix ? new DateTimeOffset(result.DateTime, TimeSpan.Zero) : InZone(result.DateTime, zone);
            return true;
        }

        // "…+08:00 UTC" says two things: not a time.
        error = ShapeError(column, value, shape == TimestampShape.Valid ? TimestampShape.Malformed : shape);
        return false;
    }

    private static DateTimeOffset InZone(DateTime local, DateTimeZone zone) =>
        LocalDateTime.FromDateTime(local).InZoneLeniently(zone).ToDateTimeOffset();

    private static bool CharsAreDigits(ReadOnlySpan<char> text) => !text.ContainsAnyExceptInRange('0', '9');

    private enum TimestampShape
    {
        Valid,
        NoOffset,
        OutOfRange,
        Malformed,
    }

    /// <summary>
    /// yyyy-MM-dd('T'|' ')HH:mm[:ss[(.|,)fraction]](Z|±hh[[:]mm]), read without allocating: every record of every
    /// feed goes through here. Fraction digits past the seventh (nanoseconds) are dropped, not rounded.
    /// </summary>
    private static TimestampShape ParseIso8601(ReadOnlySpan<char> s, out DateTimeOffset result)
    {
        result = default;
        if (s.Length < 16 || s[4] != '-' || s[7] != '-' || s[10] is not ('T' or 't' or ' ') || s[13] != ':'
            || !Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute))
        {
            return TimestampShape.Malformed;
        }

        var i = 16;
        var second = 0;
        long ticks = 0;
        if (i < s.Length && s[i] == ':')
        {
            if (!Digits(s, i + 1, 2, out second))
            {
                return TimestampShape.Malformed;
            }

            i += 3;
            if (i < s.Length && s[i] is '.' or ',')
            {
                var start = ++i;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    if (i - start < 7)
                    {
                        ticks = (ticks * 10) + (s[i] - '0');
                    }

                    i++;
                }

                var digits = i - start;
                if (digits == 0 || digits > 9)
                {
                    return TimestampShape.Malformed;
                }

                for (var pad = digits; pad < 7; pad++)
                {
                    ticks *= 10;
                }
            }
        }

        TimeSpan offset;
        var noOffset = i == s.Length;
        if (noOffset)
        {
            offset = TimeSpan.Zero;
        }
        else if (s[i] is 'Z' or 'z' && i + 1 == s.Length)
        {
            offset = TimeSpan.Zero;
        }
        else if (s[i] is '+' or '-' && Digits(s, i + 1, 2, out var offsetHours))
        {
            var rest = s[(i + 3)..];
            var offsetMinutes = 0;
            if ((rest.Length == 3 && rest[0] == ':' && Digits(rest, 1, 2, out offsetMinutes))
                || (rest.Length == 2 && Digits(rest, 0, 2, out offsetMinutes))
                || rest.IsEmpty)
            {
                offset = new TimeSpan(offsetHours, offsetMinutes, 0) * (s[i] == '-' ? -1 : 1);
            }
            else
            {
                return TimestampShape.Malformed;
            }
        }
        else
        {
            return TimestampShape.Malformed;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59 || offset.Duration() > TimeSpan.FromHours(14) || offset.Minutes >= 60)
        {
            return TimestampShape.OutOfRange;
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(ticks);
        var utc = local - offset;
        if (utc < DateTime.MinValue.AddDays(1) || utc > DateTime.MaxValue.AddDays(-1))
        {
            return TimestampShape.OutOfRange;
        }

        // Without an offset the value holds the wall-clock time; the caller decides whose.
        result = new DateTimeOffset(local, offset);
        return noOffset ? TimestampShape.NoOffset : TimestampShape.Valid;
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }

            value = (value * 10) + (s[i] - '0');
        }

        return true;
    }

    /// <summary>Quality flags: explicit yes/no words, otherwise any non-empty text means the thing was given.</summary>
    public static bool? ParseFlag(string? value)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return text.ToLowerInvariant() switch
        {
            "true" or "yes" or "y" or "1" => true,
            "false" or "no" or "n" or "0" => false,
            _ => true,
        };
    }

    /// <summary>Splits a list cell on ';', trimming each item and dropping empty ones.</summary>
    public static List<string> SplitList(string? value)
    {
        var items = new List<string>();
        if (string.IsNullOrWhiteSpace(value))
        {
            return items;
        }

        foreach (var range in value.AsSpan().Split(FeedColumns.ListSeparator))
        {
            var item = value.AsSpan(range).Trim();
            if (!item.IsEmpty)
            {
                items.Add(item.ToString());
            }
        }

        return items;
    }

    /// <summary>Kinds compare as lower-case words joined by '-' ("Status Update", "status_update" -> "status-update").</summary>
    /// <summary>The record's kind in its one canonical spelling (<see cref="EventKinds.Normalize"/>), or null when it gave none.</summary>
    public static string? NormalizeKind(string? value) => string.IsNullOrWhiteSpace(value) ? null : EventKinds.Normalize(value);

    public static string? NullIfEmpty(string? value)
    {
        var text = value?.Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    /// <summary>Keeps quoted values in rejection reasons short enough for a table column.</summary>
    public static string Shorten(string value, int max = 80) =>
        value.Length <= max ? value : string.Concat(value.AsSpan(0, max), "…");
}
