using Microsoft.Extensions.DependencyInjection;

namespace Monitor.Core.Sweep;

internal static class SweepServiceCollectionExtensions
{
    /// <summary>The overdue sweep, its cross-process lock and the clock explainer. Raising alerts needs <c>AddMonitorAlerts</c>.</summary>
    public static IServiceCollection AddMonitorSweep(this IServiceCollection services) => services
        .AddValidatedOptions<SweepLockOptions>(SweepLockOptions.Section)
        .AddSingleton<SweepLock>()
        .AddSingleton<OverdueSweeper>()
        .AddSingleton<RequestExplainer>();
}
