return Rnn.Fast.Compare.CompareCommand.Run(args, Console.Out, Console.Error);
