using Microsoft.Extensions.DependencyInjection;

namespace Monitor.Core.Reporting;

internal static class ReportingServiceCollectionExtensions
{
    /// <summary>The review-pack service and the reporting HTTP API (hosted by the function app and `monitor serve`).</summary>
    public static IServiceCollection AddMonitorReporting(this IServiceCollection services) => services
        .AddSingleton<ReportService>()
        .AddSingleton<ReportingApi>();
}
