using Monitor.Cli;

return await MonitorCommands.RunAsync(args);
