using Microsoft.Extensions.DependencyInjection;
using Monitor.Cli;
using Monitor.Core;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Sweep;

/// <summary>Sweep lock settings for tests: short polls, so that a sweep waiting for another starts soon after it ends.</summary>
public static class SweepLockSettings
{
    public const string Section = "Monitor:SweepLock";

    public static Dictionary<string, string?> Fast(TimeSpan maxWait, TimeSpan? lease = null, TimeSpan? renewEvery = null) => new()
    {
        [$"{Section}:MaxWait"] = maxWait.ToString("c"),
        [$"{Section}:PollInterval"] = TimeSpan.FromMilliseconds(50).ToString("c"),
        [$"{Section}:LeaseDuration"] = (lease ?? TimeSpan.FromSeconds(15)).ToString("c"),
        [$"{Section}:RenewInterval"] = (renewEvery ?? TimeSpan.FromSeconds(5)).ToString("c"),
    };

    /// <summary>Another host (a second function instance, `monitor sweep` beside `monitor run`) on the test's storage, prefix and clock.</summary>
    public static ServiceProvider Host(TestStorage test, IDictionary<string, string?> settings) =>
        LocalHost.CreateServices(new Dictionary<string, string?>(settings)
        {
            [StorageConnection.Name] = AzuriteServer.ConnectionString,
            [$"{MonitorOptions.Section}:{nameof(MonitorOptions.StoragePrefix)}"] = test.Prefix,
        }, clock: test.Clock);
}
