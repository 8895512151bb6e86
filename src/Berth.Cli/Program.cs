return await Berth.Registry.BerthServer.RunAsync(args.Skip(1).ToArray());
