using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Monitor.Core.Sweep;

internal static class SweepServiceCollectionExtensions
{
    /// <summary>The overdue sweep, its cross-process lock and the clock explainer. Raising alerts needs <c>AddMonitorAlerts</c>.</summary>
    public static IServiceCollection AddMonitorSweep(this IServiceCollection services)
    {
        // Real elapsed time for the lock's lease; tests step it with a fake one.
        services.TryAddSingleton(TimeProvider.System);
        return services
            .AddValidatedOptions<SweepLockOptions>(SweepLockOptions.Section)
            .AddSingleton<SweepLock>()
            .AddSingleton<OverdueSweeper>()
            .AddSingleton<RequestExplainer>();
    }
}
