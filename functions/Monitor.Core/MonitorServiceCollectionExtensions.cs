using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Alerts;
using Monitor.Core.Config;
using Monitor.Core.Digests;
using Monitor.Core.Feeds;
using Monitor.Core.Ingest;
using Monitor.Core.Pull;
using Monitor.Core.Reporting;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using Monitor.Core.WebConsole;
using NodaTime;

namespace Monitor.Core;

public static class MonitorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the options and the core services that the function app and the local host share, each feature
    /// through its own <c>AddMonitorXxx()</c>.
    /// </summary>
    public static IServiceCollection AddMonitorCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<MonitorOptions>(MonitorOptions.Section);
        services.AddValidatedOptions<FeedLimits>(FeedLimits.Section);

        services.AddSingleton<IClock>(SystemClock.Instance);
        services.AddMonitorStorage(configuration);
        services.AddSingleton<MonitorConfiguration>();
        services.AddMonitorIngest();
        // One way: the sweep raises and delivers alerts; the digest and reporting only read state.
        services.AddMonitorAlerts();
        services.AddMonitorPull();
        services.AddMonitorSweep();
        services.AddMonitorDigest();
        services.AddMonitorReporting();
        services.AddMonitorConsole();
        return services;
    }

    /// <summary>Options bound to <paramref name="section"/>, checked against their annotations when the host starts.</summary>
    internal static IServiceCollection AddValidatedOptions<TOptions>(this IServiceCollection services, string section) where TOptions : class
    {
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }
}
