package org.conceptsliders.runtime.io;

import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The restricted unpickler for the {@code data.pkl} of a {@code torch.save} archive: it knows
 * only the few globals a state dict is made of, and refuses any other global at the opcode that
 * names it, before any later opcode is read.
 *
 * <p>Pyrolite's {@link Unpickler} never runs Python, but it turns an unknown global into a
 * generic object and calls {@code __setstate__} on stack objects by reflection (BUILD); its
 * constructor registry is static and shared by every unpickler in the JVM. So this subclass
 * intercepts the opcodes that name globals and resolves them from its own allowlist instead of
 * registering constructors, accepts BUILD only on a dict, refuses INST, OBJ and the extension
 * registry, and keeps dict
 * items in file order (Pyrolite collects SETITEMS into a HashMap first).
 */
final class TorchPickle extends Unpickler {

    /** The bytes of one {@code data/<key>} archive entry, as named by a persistent id. */
    record StorageRef(String key, Dtype dtype, long numel) {
    }

    /** A tensor as {@code _rebuild_tensor_v2} describes it: a strided view of a storage (offset and strides in elements). */
    record TensorRef(StorageRef storage, long offset, long[] shape, long[] stride) {
    }

    /** A {@code torch.<Type>Storage} class: only ever an argument of a persistent id. */
    private record StorageType(Dtype dtype) {
    }

    private static final Map<String, Dtype> STORAGES = Map.of(
            "DoubleStorage", Dtype.F64, "FloatStorage", Dtype.F32, "HalfStorage", Dtype.F16,
            "BFloat16Storage", Dtype.BF16, "LongStorage", Dtype.I64, "IntStorage", Dtype.I32,
            "ShortStorage", Dtype.I16, "CharStorage", Dtype.I8, "ByteStorage", Dtype.U8, "BoolStorage", Dtype.BOOL);

    private static final String ALLOWED = "collections.OrderedDict, torch._utils._rebuild_tensor_v2, "
            + "torch._utils._rebuild_tensor, torch._utils._rebuild_parameter, torch.<Type>Storage for " + STORAGES.keySet();

    private final Path file;
    private final String entry;

    private TorchPickle(Path file, String entry) {
        this.file = file;
        this.entry = entry;
    }

    /** Unpickles {@code in} (the archive entry {@code entry} of {@code file}). */
    static Object load(Path file, String entry, InputStream in) throws IOException {
        TorchPickle p = new TorchPickle(file, entry);
        try {
            return p.load(in);
        } catch (PickleException | ClassCastException | IndexOutOfBoundsException | NullPointerException e) {
            // what Pyrolite and the constructors below throw on a stack that is not a state dict
            throw new TorchCheckpointException(file, null, entry + " is not a valid state dict pickle: " + e, e);
        } finally {
            p.close();
        }
    }

    @Override
    protected Object dispatch(short key) throws IOException {
        switch (key) {
            case Opcodes.GLOBAL -> {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(resolve(module, name));
                return NO_RETURN_VALUE;
            }
            case Opcodes.STACK_GLOBAL -> {
                Object name = stack.pop();
                Object module = stack.pop();
                stack.add(resolve(String.valueOf(module), String.valueOf(name)));
                return NO_RETURN_VALUE;
            }
            case Opcodes.EMPTY_DICT -> {
                stack.add(new LinkedHashMap<>());
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEMS -> {
                List<Object> items = stack.pop_all_since_marker();
                @SuppressWarnings("unchecked")
                Map<Object, Object> dict = (Map<Object, Object>) stack.peek();
                if (items.size() % 2 != 0) {
                    throw new TorchCheckpointException(file, null, entry + ": SETITEMS with a key but no value");
                }
                for (int i = 0; i < items.size(); i += 2) {
                    dict.put(items.get(i), items.get(i + 1));
                }
                return NO_RETURN_VALUE;
            }
            case Opcodes.BUILD -> {
                // state_dict() is an OrderedDict whose __dict__ holds _metadata (module versions):
                // attributes of a dict are not tensors, so they are dropped
                Object state = stack.pop();
                if (!(stack.peek() instanceof Map) || !(state instanceof Map)) {
                    throw new TorchCheckpointException(file, null, entry + ": BUILD (__setstate__) of "
                            + describe(stack.peek()) + " is refused; only a dict's attributes are accepted");
                }
                return NO_RETURN_VALUE;
            }
            case Opcodes.INST, Opcodes.OBJ, Opcodes.EXT1, Opcodes.EXT2, Opcodes.EXT4,
                 Opcodes.PERSID -> throw new TorchCheckpointException(file, null, entry + ": pickle opcode 0x"
                    + Integer.toHexString(key) + " is not used by state dicts and is refused");
            default -> {
                return super.dispatch(key);
            }
        }
    }

    private Object resolve(String module, String name) throws TorchCheckpointException {
        String global = module + "." + name;
        switch (global) {
            case "collections.OrderedDict":
                return (IObjectConstructor) args -> {
                    expect(global, args, 0, 0);
                    return new LinkedHashMap<>();
                };
            case "torch._utils._rebuild_tensor_v2":
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                return (IObjectConstructor) args -> {
                    expect(global, args, 6, 7);
                    return tensor(args);
                };
            case "torch._utils._rebuild_tensor":
                return (IObjectConstructor) args -> {
                    expect(global, args, 4, 4);
                    return tensor(args);
                };
            case "torch._utils._rebuild_parameter":
                // (data, requires_grad, backward_hooks): a Parameter is its data here
                return (IObjectConstructor) args -> {
                    expect(global, args, 3, 3);
                    if (!(args[0] instanceof TensorRef)) {
                        throw new PickleException(global + ": data is not a tensor");
                    }
                    return args[0];
                };
            default:
                Dtype dtype = module.equals("torch") ? STORAGES.get(name) : null;
                if (dtype == null) {
                    throw new TorchCheckpointException(file, null, entry + " refers to the Python global '" + global
                            + "', which a state dict does not need; refused without running anything (allowed: "
                            + ALLOWED + ")");
                }
                return new StorageType(dtype);
        }
    }

    /** {@code ('storage', storage_type, key, location, numel)}, what {@code torch.save} writes for a storage. */
    @Override
    protected Object persistentLoad(Object pid) {
        if (!(pid instanceof Object[] t) || t.length != 5 || !"storage".equals(t[0])
                || !(t[1] instanceof StorageType type) || !(t[2] instanceof String key)) {
            throw new PickleException("persistent id " + describe(pid) + " is not ('storage', torch.<Type>Storage, key, location, numel)");
        }
        return new StorageRef(key, type.dtype(), integer(t[4], "numel"));
    }

    private static TensorRef tensor(Object[] args) {
        if (!(args[0] instanceof StorageRef storage)) {
            throw new PickleException("tensor storage is " + describe(args[0]) + ", not a persistent storage");
        }
        return new TensorRef(storage, integer(args[1], "storage_offset"), integers(args[2], "size"), integers(args[3], "stride"));
    }

    private static void expect(String global, Object[] args, int min, int max) {
        if (args.length < min || args.length > max) {
            throw new PickleException(global + " called with " + args.length + " arguments, expected "
                    + (min == max ? min : min + " to " + max));
        }
    }

    private static long integer(Object o, String what) {
        if (o instanceof Integer || o instanceof Long) {
            return ((Number) o).longValue();
        }
        if (o instanceof BigInteger b && b.bitLength() < 64) {
            return b.longValue();
        }
        throw new PickleException(what + " is " + describe(o) + ", not an integer");
    }

    private static long[] integers(Object o, String what) {
        if (!(o instanceof Object[] t)) {
            throw new PickleException(what + " is " + describe(o) + ", not a tuple of integers");
        }
        long[] out = new long[t.length];
        for (int i = 0; i < t.length; i++) {
            out[i] = integer(t[i], what);
        }
        return out;
    }

    private static String describe(Object o) {
        return o instanceof Object[] t ? java.util.Arrays.deepToString(t) : String.valueOf(o);
    }
}
