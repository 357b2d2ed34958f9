using System.ComponentModel.DataAnnotations;

namespace Monitor.Core.Digests;

/// <summary>
/// The daily digest's settings. They stay in the "Alerts" section (<c>Alerts__DigestEnabled</c>,
/// <c>Alerts__DigestTimeOfDayUtc</c>): operators already set those names.
/// </summary>
public sealed class DigestOptions
{
    public const string Section = "Alerts";

    /// <summary>Whether the scheduled runs write the daily digest to reports/digests/ (`monitor digest` always writes).</summary>
    public bool DigestEnabled { get; set; } = true;

    /// <summary>The UTC time of day from which the first run of each UTC day writes that day's digest (default 00:00).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "23:59:59")]
    public TimeSpan DigestTimeOfDayUtc { get; set; } = TimeSpan.Zero;
}
