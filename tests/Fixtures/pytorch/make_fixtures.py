#!/usr/bin/python3
"""Writes the PyTorch fixtures in this folder: state_dicts as safetensors, torch.onnx.export graphs,
inputs, PyTorch's outputs and gradients, and manifest.json that describes them all.

The point of these files is that nobody in the project wrote them: PyTorch builds, runs and exports the
modules, so the C# importers are tested against files of the kind a real user brings. The C# tests only
read the committed files; Python runs once, here, when the fixtures are regenerated:

    apt-get update && apt-get install -y python3-torch python3-onnx
    /usr/bin/python3 tests/Fixtures/pytorch/make_fixtures.py

The script writes every file, then reads them all back and checks them (see verify() at the end).
"""

import copy
import io
import json
import math
import os
import struct
import sys
import warnings

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.dirname(os.path.abspath(__file__))

# One thread: torch's CPU kernels give the same bits on every run, and the machine stays free for others.
torch.set_num_threads(1)

# The main ONNX opset, and the older one that one pair of cases is also exported at. Opset 9 is the oldest
# torch 1.13 exports for these modules with standard ops only: at opsets 7 and 8 the zero initial state
# becomes the experimental ConstantFill op, which ONNX Runtime does not run.
OPSET = 14
OLD_OPSET = 9


# ----------------------------------------------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------------------------------------------

class Net(nn.Module):
    """The model under test: one tanh nn.RNN layer and an nn.Linear head.

    every=False: the head reads the last step's hidden state h_n[0] -> o [n, o].
    every=True:  the head reads every step's hidden output y -> o [T, n, o] (or [n, T, o] if batch_first).
    """

    def __init__(self, d, h, o, batch_first, every, bias=True):
        super().__init__()
        self.rnn = nn.RNN(d, h, num_layers=1, nonlinearity='tanh', batch_first=batch_first, bias=bias)
        self.fc = nn.Linear(h, o)
        self.every = every

    def forward(self, x, h0=None):
        y, h_n = self.rnn(x, h0)
        return self.fc(y) if self.every else self.fc(h_n[0])

    def run(self, x, h0=None):
        """Output, every step's hidden output and the final hidden state."""
        y, h_n = self.rnn(x, h0)
        o = self.fc(y) if self.every else self.fc(h_n[0])
        return o, y, h_n


class EncoderHead(nn.Module):
    """Net with its modules named 'encoder' and 'head'."""

    def __init__(self, d, h, o):
        super().__init__()
        self.encoder = nn.RNN(d, h)
        self.head = nn.Linear(h, o)

    def forward(self, x):
        _, h_n = self.encoder(x)
        return self.head(h_n[0])


class RnnEncoder(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.rnn = nn.RNN(d, h)


class Nested(nn.Module):
    """The RNN one level down: keys encoder.rnn.* and head.*."""

    def __init__(self, d, h, o):
        super().__init__()
        self.encoder = RnnEncoder(d, h)
        self.head = nn.Linear(h, o)


class WithBuffers(nn.Module):
    """Net plus what real models often carry beside it: input normalisation statistics and a step counter
    kept as buffers (the counter is int64 and a scalar, shape [])."""

    def __init__(self, d, h, o):
        super().__init__()
        self.register_buffer('x_mean', torch.zeros(d))
        self.register_buffer('x_std', torch.ones(d))
        self.rnn = nn.RNN(d, h)
        self.fc = nn.Linear(h, o)
        self.register_buffer('num_updates', torch.tensor(0, dtype=torch.int64))


class TwoHeads(nn.Module):
    """Ambiguous: one RNN and two Linear heads of the same shape; which head is 'the' head only the caller
    can say."""

    def __init__(self, d, h, o):
        super().__init__()
        self.rnn = nn.RNN(d, h)
        self.head_a = nn.Linear(h, o)
        self.head_b = nn.Linear(h, o)


class TwoRnns(nn.Module):
    """Ambiguous: two RNNs of the same shape and one head."""

    def __init__(self, d, h, o):
        super().__init__()
        self.rnn_a = nn.RNN(d, h)
        self.rnn_b = nn.RNN(d, h)
        self.fc = nn.Linear(h, o)


class Unsupported(nn.Module):
    """A recurrent module that is not a single-layer, one-direction tanh RNN, with a Linear head on its last
    hidden state (both directions concatenated when bidirectional), as a user would write it."""

    def __init__(self, rnn, h, o):
        super().__init__()
        self.rnn = rnn
        self.fc = nn.Linear(2 * h if rnn.bidirectional else h, o)

    def forward(self, x):
        _, h_n = self.rnn(x)
        if isinstance(h_n, tuple):  # LSTM: (h_n, c_n)
            h_n = h_n[0]
        if self.rnn.bidirectional:
            return self.fc(torch.cat((h_n[-2], h_n[-1]), dim=-1))
        return self.fc(h_n[-1])


# ----------------------------------------------------------------------------------------------------------
# Writers
# ----------------------------------------------------------------------------------------------------------

# safetensors dtype names and element sizes.
ST_DTYPES = {
    torch.float64: ('F64', 8),
    torch.float32: ('F32', 4),
    torch.float16: ('F16', 2),
    torch.bfloat16: ('BF16', 2),
    torch.int64: ('I64', 8),
}


def tensor_le_bytes(t):
    """The tensor's elements, row-major, little-endian."""
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        a = t.view(torch.int16).numpy()  # numpy has no bfloat16; the int16 view has the same bits
    else:
        a = t.numpy()
    return np.ascontiguousarray(a, dtype=a.dtype.newbyteorder('<')).tobytes()


def write_bytes(name, data):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)


def write_safetensors(name, tensors, metadata=None):
    """Writes a dict of tensors by the safetensors format's own rules:

    - 8 bytes: N, the header's length, unsigned little-endian;
    - N bytes: UTF-8 JSON {"__metadata__": {...}, "name": {"dtype", "shape", "data_offsets": [begin, end]}},
      padded with trailing spaces to a multiple of 8 bytes;
    - the tensors' raw little-endian bytes, contiguous, offsets relative to the start of this data section.

    Like the reference writer, the tensors are laid out larger elements first, then by name, and the JSON
    lists __metadata__ first, then the tensors in data order.
    """
    if metadata is None:
        metadata = {'format': 'pt'}
    header = {'__metadata__': metadata}
    blobs = []
    offset = 0
    for key in sorted(tensors, key=lambda k: (-ST_DTYPES[tensors[k].dtype][1], k)):
        t = tensors[key]
        data = tensor_le_bytes(t)
        header[key] = {
            'dtype': ST_DTYPES[t.dtype][0],
            'shape': list(t.shape),
            'data_offsets': [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    js = json.dumps(header, separators=(',', ':')).encode('utf-8')
    js += b' ' * (-len(js) % 8)
    write_bytes(name, struct.pack('<Q', len(js)) + js + b''.join(blobs))
    return name


def write_raw(name, t, dtype):
    """A tensor as raw little-endian float32 ('f4') or float64 ('f8'), row-major, no header."""
    write_bytes(name, np.ascontiguousarray(t.detach().cpu().numpy(), dtype='<' + dtype).tobytes())
    return {'file': name, 'dtype': {'f4': 'F32', 'f8': 'F64'}[dtype], 'shape': list(t.shape)}


def export_onnx(name, module, args, input_names, dynamic_axes, opset):
    """torch.onnx.export to bytes, written as is."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # The tracer warns about the RNN's Python-side checks and about dynamic batch with RNNs; the graphs
        # are checked below instead (checker, and a run at another T and n).
        warnings.simplefilter('ignore')
        torch.onnx.export(module, args, buf, opset_version=opset, input_names=input_names,
                          output_names=['o'], dynamic_axes=dynamic_axes)
    write_bytes(name, buf.getvalue())
    return describe_onnx(name, opset)


def describe_onnx(name, opset):
    """What the manifest says about a graph: its nodes in order, initializers, inputs and outputs."""
    model = onnx.load(os.path.join(OUT, name))
    g = model.graph

    def dims(value_info):
        return [d.dim_param if d.HasField('dim_param') else d.dim_value
                for d in value_info.type.tensor_type.shape.dim]

    def attr(a):
        v = onnx.helper.get_attribute_value(a)
        if isinstance(v, onnx.TensorProto):
            arr = onnx.numpy_helper.to_array(v)
            return {'tensor': arr.tolist(), 'dtype': str(arr.dtype), 'shape': list(arr.shape)}
        if isinstance(v, bytes):
            return v.decode()
        if isinstance(v, list):
            return [x.decode() if isinstance(x, bytes) else x for x in v]
        return v

    elem = onnx.TensorProto.DataType.Name
    return {
        'file': name,
        'opset': opset,
        'ir_version': model.ir_version,
        'producer': f'{model.producer_name} {model.producer_version}',
        'op_types': [n.op_type for n in g.node],
        'nodes': [{'op_type': n.op_type, 'name': n.name, 'inputs': list(n.input), 'outputs': list(n.output),
                   'attributes': {a.name: attr(a) for a in n.attribute}} for n in g.node],
        'initializers': [{'name': t.name, 'dtype': elem(t.data_type), 'shape': list(t.dims)}
                         for t in g.initializer],
        'inputs': [{'name': i.name, 'dtype': elem(i.type.tensor_type.elem_type), 'shape': dims(i)}
                   for i in g.input],
        'outputs': [{'name': o.name, 'dtype': elem(o.type.tensor_type.elem_type), 'shape': dims(o)}
                    for o in g.output],
    }


def keys_and_shapes(sd):
    return [{'name': k, 'shape': list(v.shape), 'dtype': ST_DTYPES[v.dtype][0]} for k, v in sd.items()]


def inputs_generator(seed):
    """Inputs, h0 and targets come from their own generator, so they do not depend on how many numbers
    the module's initialisation drew."""
    return torch.Generator().manual_seed(1000 + seed)


# ----------------------------------------------------------------------------------------------------------
# The supported cases
# ----------------------------------------------------------------------------------------------------------

# name, d, h, o, T, n, batch_first, every, h0 as a graph input, RNN bias, seed, opsets exported
CASES = [
    ('tm_last',        3, 20, 2, 7, 4, False, False, False, True, 1, [OPSET, OLD_OPSET]),
    ('tm_every',       3, 20, 2, 7, 4, False, True,  False, True, 2, [OPSET, OLD_OPSET]),
    ('bf_last',        3, 20, 2, 7, 4, True,  False, False, True, 3, [OPSET]),
    ('bf_every',       3, 20, 2, 7, 4, True,  True,  False, True, 4, [OPSET]),
    ('tutorial_last',  1, 16, 1, 5, 1, False, False, False, True, 5, [OPSET]),
    ('t1_n1_last',     3, 20, 2, 1, 1, False, False, False, True, 6, [OPSET]),
    ('tm_last_h0',     3, 20, 2, 7, 4, False, False, True,  True, 7, [OPSET]),
    ('tm_last_nobias', 3, 20, 2, 7, 4, False, False, False, False, 8, [OPSET]),
]


def axes_names(bf, last_name):
    return ['n', 'T', last_name] if bf else ['T', 'n', last_name]


def make_case(spec):
    name, d, h, o, T, n, bf, every, with_h0, bias, seed, opsets = spec
    torch.manual_seed(seed)
    net = Net(d, h, o, bf, every, bias=bias).eval()
    g = inputs_generator(seed)
    x = torch.randn((n, T, d) if bf else (T, n, d), generator=g)
    h0 = 0.5 * torch.randn((1, n, h), generator=g) if with_h0 else None
    o_shape = ((n, T, o) if bf else (T, n, o)) if every else (n, o)
    target = torch.randn(o_shape, generator=g)

    entry = {
        'name': name, 'kind': 'supported', 'seed': seed,
        'd': d, 'h': h, 'o': o, 'T': T, 'n': n, 'batch_first': bf,
        'output': 'every_step' if every else 'last_step',
        'rnn_bias': bias, 'h0_input': with_h0, 'dtype': 'F32',
        'state_dict': write_safetensors(f'{name}.safetensors', net.state_dict()),
        'keys': keys_and_shapes(net.state_dict()),
    }

    # Forward in float32, eval mode, no grad.
    with torch.no_grad():
        out, y, h_n = net.run(x, h0)
    arrays = {
        'x': dict(write_raw(f'{name}.x.f32', x, 'f4'), axes=axes_names(bf, 'd')),
        'o': dict(write_raw(f'{name}.o.f32', out, 'f4'),
                  axes=axes_names(bf, 'o') if every else ['n', 'o']),
        'y': dict(write_raw(f'{name}.y.f32', y, 'f4'), axes=axes_names(bf, 'h')),
        'h_n': dict(write_raw(f'{name}.h_n.f32', h_n, 'f4'), axes=['layers', 'n', 'h']),
        'target': dict(write_raw(f'{name}.target.f32', target, 'f4'),
                       axes=axes_names(bf, 'o') if every else ['n', 'o']),
    }
    if with_h0:
        arrays['h0'] = dict(write_raw(f'{name}.h0.f32', h0, 'f4'), axes=['layers', 'n', 'h'])

    # The same module and inputs in float64: torch's float32 error against its own double.
    net64 = copy.deepcopy(net).double()
    with torch.no_grad():
        out64 = net64(x.double(), None if h0 is None else h0.double())
    arrays['o_f64'] = dict(write_raw(f'{name}.o.f64', out64, 'f8'), axes=arrays['o']['axes'])

    # Gradients of the mean squared error between the output and the target, for every state_dict
    # tensor, x and h0. Without a given h0 the gradient flows into an explicit zero h0, which is what the
    # RNN uses when h0 is omitted, so the forward is the same.
    def gradients(module, dtype):
        module = copy.deepcopy(module).train()  # one layer: no dropout, train and eval compute the same
        module.zero_grad()
        xg = x.detach().to(dtype, copy=True).requires_grad_()  # copies: x and h0 stay as they are
        hg = (torch.zeros(1, n, h) if h0 is None else h0).detach().to(dtype, copy=True).requires_grad_()
        loss = F.mse_loss(module(xg, hg), target.to(dtype))
        loss.backward()
        grads = {k: p.grad for k, p in module.named_parameters()}
        assert list(grads) == list(module.state_dict()), 'every state_dict tensor is a parameter'
        return loss.item(), grads, xg.grad, hg.grad

    loss32, grads32, gx32, gh32 = gradients(net, torch.float32)
    loss64, grads64, gx64, gh64 = gradients(net64, torch.float64)
    entry['loss'] = {'kind': 'mse_loss, reduction mean, over every element of o', 'f32': loss32,
                     'f64': loss64}
    entry['grad'] = write_safetensors(f'{name}.grad.safetensors', grads32)
    entry['grad_f64'] = write_safetensors(f'{name}.grad.F64.safetensors', grads64)
    arrays['grad_x'] = dict(write_raw(f'{name}.grad_x.f32', gx32, 'f4'), axes=arrays['x']['axes'])
    arrays['grad_x_f64'] = dict(write_raw(f'{name}.grad_x.f64', gx64, 'f8'), axes=arrays['x']['axes'])
    arrays['grad_h0'] = dict(write_raw(f'{name}.grad_h0.f32', gh32, 'f4'), axes=['layers', 'n', 'h'])
    arrays['grad_h0_f64'] = dict(write_raw(f'{name}.grad_h0.f64', gh64, 'f8'), axes=['layers', 'n', 'h'])
    entry['arrays'] = arrays

    # ONNX: T and n dynamic; h0 is [layers, n, h] whatever batch_first says.
    input_names = ['x', 'h0'] if with_h0 else ['x']
    dynamic_axes = {'x': {0: 'n', 1: 'T'} if bf else {0: 'T', 1: 'n'},
                    'o': ({0: 'n', 1: 'T'} if bf else {0: 'T', 1: 'n'}) if every else {0: 'n'}}
    if with_h0:
        dynamic_axes['h0'] = {1: 'n'}
    args = (x, h0) if with_h0 else (x,)
    entry['onnx'] = []
    for opset in opsets:
        file = f'{name}.onnx' if opset == OPSET else f'{name}.opset{opset}.onnx'
        entry['onnx'].append(export_onnx(file, net, args, input_names, dynamic_axes, opset))
    return entry, net


# ----------------------------------------------------------------------------------------------------------
# dtype variants
# ----------------------------------------------------------------------------------------------------------

def make_dtype_variants(base_name, net):
    """The base case's state_dict stored as F64, F16 and BF16 (tensor.to(dtype)), and the float32 values
    torch's own .to(torch.float32) gives back from each, so a loader's conversion can be checked bit for bit
    against torch's."""
    entries = []
    sd = net.state_dict()
    for dtype in (torch.float64, torch.float16, torch.bfloat16):
        tag = ST_DTYPES[dtype][0]
        stored = {k: v.to(dtype) for k, v in sd.items()}
        entries.append({
            'name': f'{base_name}.{tag}', 'kind': 'dtype', 'from': base_name, 'dtype': tag,
            'state_dict': write_safetensors(f'{base_name}.{tag}.safetensors', stored),
            'as_f32': write_safetensors(f'{base_name}.{tag}.as_f32.safetensors',
                                        {k: v.to(torch.float32) for k, v in stored.items()}),
            'keys': keys_and_shapes(stored),
        })

    # The F64 file above holds float32 values exactly, so reading it back needs no rounding. This one comes
    # from a module initialised in float64, whose values need rounding to float32.
    torch.manual_seed(11)
    torch.set_default_dtype(torch.float64)  # the modules draw their initial values in float64
    wide = Net(3, 20, 2, False, False)
    torch.set_default_dtype(torch.float32)
    sd64 = wide.state_dict()
    assert all(v.dtype == torch.float64 for v in sd64.values())
    assert any(not torch.equal(v, v.float().double()) for v in sd64.values()), 'values need rounding'
    entries.append({
        'name': 'wide.F64', 'kind': 'dtype', 'from': 'Net(3, 20, 2) initialised in float64, seed 11',
        'dtype': 'F64',
        'state_dict': write_safetensors('wide.F64.safetensors', sd64),
        'as_f32': write_safetensors('wide.F64.as_f32.safetensors',
                                    {k: v.to(torch.float32) for k, v in sd64.items()}),
        'keys': keys_and_shapes(sd64),
    })

    # Values at the edges of each format, converted by torch: ties, overflow to infinity, subnormals,
    # underflow to zero, signed zero, infinities and NaN. Not a state_dict; one tensor named 'values'.
    # F16 and BF16 are made from the float32 values (torch's float64 -> float16 may round twice, through
    # float32).
    f64 = torch.tensor([
        0.0, -0.0, 1.0, -2.5, 1.0 / 3.0, math.pi,
        1.0 + 2.0 ** -24, 1.0 + 3.0 * 2.0 ** -25, 1.0 + 2.0 ** -8, 1.0 + 3.0 * 2.0 ** -9,  # ties and near
        65504.0, 65519.0, 65520.0, 3.3895313892515355e38, 3.4e38, 3.5e38, 1e300,  # near each max
        6.103515625e-05, 3e-05, 5.960464477539063e-08, 2.9e-08, 3e-08,  # F16 normal min, subnormals
        1.1754943508222875e-38, 1e-39, 1.401298464324817e-45, 7e-46, 1e-300, -1e-300,  # F32/BF16 small
        float('inf'), float('-inf'), float('nan'),
    ], dtype=torch.float64)
    f32 = f64.to(torch.float32)
    edge = [('F64', {'values': f64}), ('F32', {'values': f32}),
            ('F16', {'values': f32.to(torch.float16)}), ('BF16', {'values': f32.to(torch.bfloat16)})]
    for tag, tensors in edge:
        entry = {
            'name': f'edge.{tag}', 'kind': 'dtype_edge', 'dtype': tag,
            'from': 'the float64 list in make_fixtures.py' if tag == 'F64' else
                    ('edge.F64 .to(torch.float32)' if tag == 'F32' else 'edge.F32 .to(dtype)'),
            'state_dict': write_safetensors(f'edge.{tag}.safetensors', tensors),
            'keys': keys_and_shapes(tensors),
        }
        if tag != 'F32':
            entry['as_f32'] = write_safetensors(f'edge.{tag}.as_f32.safetensors',
                                                {'values': tensors['values'].to(torch.float32)})
        entries.append(entry)
    return entries


# ----------------------------------------------------------------------------------------------------------
# Prefix variants and ambiguous files
# ----------------------------------------------------------------------------------------------------------

def make_prefix_variants(base_name, net, x):
    """The base case's tensors (same values, last step, time-major) under the names other layouts give
    them. A loader told (or finding) the right prefixes reproduces the base case's outputs."""
    rnn_sd = net.rnn.state_dict()
    fc_sd = net.fc.state_dict()
    d, h, o = net.rnn.input_size, net.rnn.hidden_size, net.fc.out_features
    entries = []

    def entry(name, module_or_sd, note, rnn_prefix, head_prefix, **extra):
        sd = module_or_sd if isinstance(module_or_sd, dict) else module_or_sd.state_dict()
        e = {'name': name, 'kind': 'prefix', 'same_parameters_as': base_name, 'note': note,
             'rnn_prefix': rnn_prefix, 'head_prefix': head_prefix,
             'state_dict': write_safetensors(f'{name}.safetensors', sd), 'keys': keys_and_shapes(sd)}
        e.update(extra)
        entries.append(e)
        return e

    m = EncoderHead(d, h, o).eval()
    m.encoder.load_state_dict(rnn_sd)
    m.head.load_state_dict(fc_sd)
    e = entry('prefix_encoder_head', m, 'modules named encoder and head', 'encoder.', 'head.')
    # Its graph: the same ops as the base case, the head's initializers named head.weight and head.bias.
    e['onnx'] = [export_onnx('prefix_encoder_head.onnx', m, (x,), ['x'],
                             {'x': {0: 'T', 1: 'n'}, 'o': {0: 'n'}}, OPSET)]

    m = Nested(d, h, o)
    m.encoder.rnn.load_state_dict(rnn_sd)
    m.head.load_state_dict(fc_sd)
    entry('prefix_nested', m, 'the RNN one module down: encoder.rnn.*', 'encoder.rnn.', 'head.')

    # nn.DataParallel prefixes every key with 'module.' (without GPUs it only wraps the module).
    m = nn.DataParallel(copy.deepcopy(net))
    entry('prefix_dataparallel', m, "nn.DataParallel(Net): every key under 'module.'", 'module.rnn.',
          'module.fc.')

    # A bare nn.RNN and nn.Linear saved on their own: two files, or one dict merged from both (unambiguous:
    # the RNN's keys end in _l0, the Linear's are exactly 'weight' and 'bias').
    entry('bare_rnn', net.rnn, 'nn.RNN.state_dict() alone', '', None)
    entry('bare_linear', net.fc, 'nn.Linear.state_dict() alone', None, '')
    entry('bare_merged', {**rnn_sd, **fc_sd}, '{**rnn.state_dict(), **fc.state_dict()} in one file', '', '')

    m = WithBuffers(d, h, o)
    m.rnn.load_state_dict(rnn_sd)
    m.fc.load_state_dict(fc_sd)
    with torch.no_grad():
        m.x_mean.copy_(torch.linspace(-0.5, 0.5, d))
        m.x_std.copy_(torch.linspace(1.0, 2.0, d))
        m.num_updates.fill_(1234)
    entry('extra_buffers', m, 'rnn.* and fc.* beside other buffers: x_mean, x_std (F32) and num_updates '
          '(I64, shape [])', 'rnn.', 'fc.')

    # Ambiguous: head_a is the base case's head, head_b another Linear of the same shape.
    torch.manual_seed(21)
    m = TwoHeads(d, h, o)
    m.rnn.load_state_dict(rnn_sd)
    m.head_a.load_state_dict(fc_sd)
    entry('ambiguous_two_heads', m, f'two Linear heads of the same shape, the caller must name one; rnn. and '
          f'head_a. hold {base_name}, head_b. other values', 'rnn.', None, ambiguous=True,
          head_candidates=['head_a.', 'head_b.'], same_parameters_under=['rnn.', 'head_a.'])

    torch.manual_seed(22)
    m = TwoRnns(d, h, o)
    m.rnn_a.load_state_dict(rnn_sd)
    m.fc.load_state_dict(fc_sd)
    entry('ambiguous_two_rnns', m, f'two RNNs of the same shape, the caller must name one; rnn_a. and fc. '
          f'hold {base_name}, rnn_b. other values', None, 'fc.', ambiguous=True,
          rnn_candidates=['rnn_a.', 'rnn_b.'], same_parameters_under=['rnn_a.', 'fc.'])
    return entries


# ----------------------------------------------------------------------------------------------------------
# Unsupported models
# ----------------------------------------------------------------------------------------------------------

def make_unsupported():
    """Models an Elman-RNN importer must refuse, each as a state_dict and an ONNX graph."""
    d, h, o, T, n = 3, 5, 2, 4, 2
    specs = [
        ('unsupported_lstm', lambda: nn.LSTM(d, h), 'LSTM'),
        ('unsupported_gru', lambda: nn.GRU(d, h), 'GRU'),
        ('unsupported_bidirectional', lambda: nn.RNN(d, h, bidirectional=True), 'bidirectional RNN'),
        ('unsupported_relu', lambda: nn.RNN(d, h, nonlinearity='relu'), 'RNN with relu'),
        ('unsupported_2layer', lambda: nn.RNN(d, h, num_layers=2), 'RNN with 2 layers'),
    ]
    entries = []
    for i, (name, make_rnn, what) in enumerate(specs):
        torch.manual_seed(31 + i)
        m = Unsupported(make_rnn(), h, o).eval()
        x = torch.randn((T, n, d), generator=inputs_generator(31 + i))
        entries.append({
            'name': name, 'kind': 'unsupported', 'what': what, 'd': d, 'h': h, 'o': o, 'T': T, 'n': n,
            'batch_first': False, 'output': 'last_step', 'dtype': 'F32',
            'state_dict': write_safetensors(f'{name}.safetensors', m.state_dict()),
            'keys': keys_and_shapes(m.state_dict()),
            'onnx': [export_onnx(f'{name}.onnx', m, (x,), ['x'], {'x': {0: 'T', 1: 'n'}, 'o': {0: 'n'}},
                                 OPSET)],
        })
    return entries


# ----------------------------------------------------------------------------------------------------------
# Verification: read everything back with code that shares nothing with the writers above
# ----------------------------------------------------------------------------------------------------------

def read_safetensors(path):
    """A small independent safetensors reader: checks the header and offsets and returns numpy arrays."""
    sizes = {'F64': ('<f8', 8), 'F32': ('<f4', 4), 'F16': ('<f2', 2), 'BF16': ('<u2', 2), 'I64': ('<i8', 8)}
    with open(path, 'rb') as f:
        blob = f.read()
    assert len(blob) >= 8, path
    (n,) = struct.unpack_from('<Q', blob, 0)
    assert n % 8 == 0 and 8 + n <= len(blob), (path, n)
    text = blob[8:8 + n].decode('utf-8')
    assert text.startswith('{') and text.rstrip(' ').endswith('}'), (path, 'JSON padded with spaces only')
    header = json.loads(text)
    assert header.pop('__metadata__') == {'format': 'pt'}, path
    data = blob[8 + n:]
    out, expected_begin = {}, 0
    for key, info in sorted(header.items(), key=lambda kv: kv[1]['data_offsets'][0]):
        assert set(info) == {'dtype', 'shape', 'data_offsets'}, (path, key)
        begin, end = info['data_offsets']
        np_dtype, size = sizes[info['dtype']]
        assert begin == expected_begin and end - begin == size * int(np.prod(info['shape'])), (path, key)
        assert begin % size == 0, (path, key, 'aligned')
        out[key] = (info['dtype'], np.frombuffer(data[begin:end], dtype=np_dtype).reshape(info['shape']))
        expected_begin = end
    assert expected_begin == len(data), (path, 'the data section holds exactly the tensors')
    return out


def run_onnx_numpy(path, feeds):
    """Runs one of the supported graphs in float64 with numpy, for the ops torch 1.13 writes for them. This
    only checks that the graphs mean what the manifest and README say (and that T and n really are dynamic);
    ONNX Runtime, in the C# parity tests, is the oracle."""
    model = onnx.load(path)
    env = {t.name: onnx.numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
    env.update(feeds)
    env[''] = None
    opset = model.opset_import[0].version
    for node in model.graph.node:
        a = {x.name: onnx.helper.get_attribute_value(x) for x in node.attribute}
        i = [env[name] for name in node.input]
        op = node.op_type
        if op == 'Constant':
            r = [onnx.numpy_helper.to_array(a['value'])]
        elif op == 'Shape':
            r = [np.array(i[0].shape, dtype=np.int64)]
        elif op == 'Gather':
            r = [np.take(i[0], i[1].astype(np.int64), axis=a.get('axis', 0))]
        elif op == 'Unsqueeze':
            axes = a['axes'] if opset < 13 else i[1].tolist()
            r = [np.expand_dims(i[0], tuple(axes))]
        elif op == 'Squeeze':
            axes = a['axes'] if opset < 13 else i[1].tolist()
            r = [np.squeeze(i[0], tuple(axes))]
        elif op == 'Concat':
            r = [np.concatenate(i, axis=a['axis'])]
        elif op == 'ConstantOfShape':
            value = onnx.numpy_helper.to_array(a['value']).astype(np.float64).item()
            r = [np.full(i[0].astype(np.int64), value)]
        elif op == 'Transpose':
            r = [np.transpose(i[0], a['perm'])]
        elif op == 'RNN':
            assert [s.decode() for s in a.get('activations', [b'Tanh'])] == ['Tanh']
            assert a.get('direction', b'forward') == b'forward' and a.get('layout', 0) == 0
            xs, w, rr = i[0], i[1][0], i[2][0]
            b = i[3][0] if len(i) > 3 and i[3] is not None else np.zeros(2 * w.shape[0])
            assert len(i) < 5 or i[4] is None, 'no sequence_lens'
            hs = i[5][0] if len(i) > 5 and i[5] is not None else np.zeros((xs.shape[1], w.shape[0]))
            ys = []
            for t in range(xs.shape[0]):
                hs = np.tanh(xs[t] @ w.T + hs @ rr.T + b[:w.shape[0]] + b[w.shape[0]:])
                ys.append(hs)
            r = [np.stack(ys)[:, None], hs[None]]
        elif op == 'MatMul':
            r = [i[0] @ i[1]]
        elif op == 'Add':
            r = [i[0] + i[1]]
        elif op == 'Gemm':
            A = i[0].T if a.get('transA', 0) else i[0]
            B = i[1].T if a.get('transB', 0) else i[1]
            r = [a.get('alpha', 1.0) * (A @ B) + a.get('beta', 1.0) * i[2]]
        else:
            raise AssertionError(f'{path}: op {op} not expected in a supported graph')
        for name, value in zip(node.output, r):
            env[name] = value
    return env[model.graph.output[0].name]


def read_raw(info):
    a = np.fromfile(os.path.join(OUT, info['file']), dtype={'F32': '<f4', 'F64': '<f8'}[info['dtype']])
    assert a.size == int(np.prod(info['shape'])), info['file']
    return a.reshape(info['shape'])


def verify(manifest, nets):
    files = set()
    for case in manifest['cases']:
        for key in ('state_dict', 'as_f32', 'grad', 'grad_f64'):
            if key in case:
                path = os.path.join(OUT, case[key])
                tensors = read_safetensors(path)
                files.add(case[key])
                if key == 'state_dict':
                    assert {k['name']: (k['dtype'], k['shape']) for k in case['keys']} == \
                           {k: (v[0], list(v[1].shape)) for k, v in tensors.items()}, case['name']
        for info in case.get('arrays', {}).values():
            read_raw(info)
            files.add(info['file'])
        for g in case.get('onnx', []):
            onnx.checker.check_model(onnx.load(os.path.join(OUT, g['file'])), full_check=True)
            files.add(g['file'])

    # The safetensors files hold exactly torch's tensors, bit for bit.
    for case in manifest['cases']:
        if case['kind'] != 'supported':
            continue
        net = nets[case['name']]
        got = read_safetensors(os.path.join(OUT, case['state_dict']))
        for k, v in net.state_dict().items():
            assert got[k][1].tobytes() == v.numpy().astype('<f4').tobytes(), (case['name'], k)
    # torch's widening of F16 and BF16, which the as_f32 files hold, equals numpy's (BF16: the upper half
    # of a float32), bit for bit.
    for case in manifest['cases']:
        if case.get('dtype') in ('F16', 'BF16') and 'as_f32' in case:
            stored = read_safetensors(os.path.join(OUT, case['state_dict']))
            as_f32 = read_safetensors(os.path.join(OUT, case['as_f32']))
            for k, (_, a) in stored.items():
                widened = a.astype(np.float32) if case['dtype'] == 'F16' else \
                    (a.astype(np.uint32) << 16).view(np.float32)
                assert widened.tobytes() == as_f32[k][1].tobytes(), (case['name'], k)

    # The supported graphs compute torch's outputs at the exported T and n, and at other T and n.
    for case in manifest['cases']:
        if case['kind'] != 'supported':
            continue
        net64 = copy.deepcopy(nets[case['name']]).double()
        for g in case['onnx']:
            for (T, n) in [(case['T'], case['n']), (3, 2), (1, 5)]:
                gen = torch.Generator().manual_seed(99)
                x = torch.randn((n, T, case['d']) if case['batch_first'] else (T, n, case['d']),
                                generator=gen, dtype=torch.float64)
                h0 = torch.randn((1, n, case['h']), generator=gen, dtype=torch.float64)
                feeds = {'x': x.numpy()}
                if case['h0_input']:
                    feeds['h0'] = h0.numpy()
                with torch.no_grad():
                    expected = net64(x, h0 if case['h0_input'] else None).numpy()
                got = run_onnx_numpy(os.path.join(OUT, g['file']), feeds)
                assert got.shape == expected.shape and np.allclose(got, expected, rtol=0, atol=1e-6), \
                    (g['file'], T, n, np.abs(got - expected).max())
        # And the float32 files are torch's float32 forward, close to its float64 one.
        o32, o64 = read_raw(case['arrays']['o']), read_raw(case['arrays']['o_f64'])
        assert np.allclose(o32, o64, rtol=0, atol=1e-5), case['name']

    # Every file in the folder is in the manifest, and nothing else is there.
    on_disk = {f for f in os.listdir(OUT) if f.endswith(('.safetensors', '.onnx', '.f32', '.f64'))}
    assert on_disk == files, ('not in the manifest', sorted(on_disk - files), 'missing', sorted(files - on_disk))
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f'verified {len(files)} files, {total} bytes in {OUT}')


# ----------------------------------------------------------------------------------------------------------

def main():
    # Start from an empty set of generated files, so a case removed from this script leaves nothing behind.
    for f in os.listdir(OUT):
        if f.endswith(('.safetensors', '.onnx', '.f32', '.f64')):
            os.remove(os.path.join(OUT, f))

    cases, nets = [], {}
    for spec in CASES:
        entry, net = make_case(spec)
        cases.append(entry)
        nets[entry['name']] = net
    cases += make_dtype_variants('tm_last', nets['tm_last'])
    x = torch.from_numpy(read_raw(cases[0]['arrays']['x']).copy())
    cases += make_prefix_variants('tm_last', nets['tm_last'], x)
    cases += make_unsupported()

    manifest = {
        'generator': 'make_fixtures.py',
        'torch': torch.__version__,
        'onnx': onnx.__version__,
        'numpy': np.__version__,
        'raw_files': 'headerless little-endian F32 (.f32) or F64 (.f64), row-major, shape and axes given here',
        'safetensors_metadata': {'format': 'pt'},
        'cases': cases,
    }
    with open(os.path.join(OUT, 'manifest.json'), 'w', encoding='utf-8', newline='\n') as f:
        json.dump(manifest, f, indent=1)
        f.write('\n')
    verify(manifest, nets)


if __name__ == '__main__':
    main()
