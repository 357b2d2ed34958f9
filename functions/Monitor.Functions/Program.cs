using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Monitor.Functions;

var builder = FunctionsApplication.CreateBuilder(args);
builder.AddMonitorFunctions();
builder.Build().Run();
