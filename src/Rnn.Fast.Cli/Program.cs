// The `rnn` command. Placeholder until the demo lands.
Console.WriteLine("rnn: no commands yet");
return 0;
