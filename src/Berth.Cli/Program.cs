return await Berth.Cli.BerthCli.RunAsync(args);
