using System.ComponentModel.DataAnnotations;
using Monitor.Core.Storage;

namespace Monitor.Core.Sweep;

/// <summary>
/// The lease that keeps two sweeps from running at once, across processes (section "Monitor:SweepLock", e.g.
/// <c>Monitor__SweepLock__MaxWait</c>).
/// </summary>
public sealed class SweepLockOptions : IValidatableObject
{
    public const string Section = "Monitor:SweepLock";

    /// <summary>
    /// The blob lease's duration (Azure Storage allows 15 to 60 whole seconds). A holder that dies without releasing
    /// blocks other sweeps for at most this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:15", "00:01:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the holder renews the lease while its sweep runs: at most half the duration, so that a failed renewal is retried before the lease ends.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30")]
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a sweep waits for another one to finish before it gives up (zero: skip at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a waiting sweep tries the lease again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public LeaseTimings Timings => new(LeaseDuration, RenewInterval);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => Timings.Problems(Section);
}
