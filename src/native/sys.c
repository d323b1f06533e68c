/*
 * src/native/ owns lvmsnap's native add-on (lvmsnap-sys.node), loaded by the self-contained executable
 * from beside itself (src/native/load.ts). It makes two system calls that otherwise cost a process start
 * each (0.1-0.15 s under QEMU/TCG, most of it the tool's own start-up, not the call):
 *   umount(path)        umount2(path, 0): what `umount -- PATH` does for a mount with no utab entry
 *   loopDetach(device)  open(device) + ioctl(LOOP_CLR_FD): what `losetup --detach DEVICE` does
 * Each returns 0 or the errno, and changes nothing when it fails: the caller then runs the tool itself, so
 * every failure is reported by the tool, in its own words (src/host-real.ts).
 *
 * Node-API is declared here, not included: these few functions are a stable C ABI (node_api.h, version 1),
 * and building needs no Node headers, only a C compiler (scripts/native.mjs).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;
typedef int napi_status; /* napi_ok is 0 */
typedef napi_value (*napi_callback)(napi_env env, napi_callback_info info);

extern napi_status napi_get_cb_info(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv, napi_value *this_arg, void **data);
extern napi_status napi_get_value_string_utf8(napi_env env, napi_value value, char *buf, size_t bufsize, size_t *result);
extern napi_status napi_create_int32(napi_env env, int32_t value, napi_value *result);
extern napi_status napi_create_function(napi_env env, const char *utf8name, size_t length, napi_callback cb, void *data, napi_value *result);
extern napi_status napi_set_named_property(napi_env env, napi_value object, const char *utf8name, napi_value value);

#define PATH_BYTES 4096

/* The one string argument as a C string; EINVAL for none, a non-string, or one too long or with a NUL. */
static int path_arg(napi_env env, napi_callback_info info, char *out) {
  size_t argc = 1, len = 0;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != 0 || argc < 1) return EINVAL;
  if (napi_get_value_string_utf8(env, argv[0], out, PATH_BYTES, &len) != 0) return EINVAL;
  for (size_t i = 0; i < len; i++) if (out[i] == '\0') return EINVAL;
  if (len == 0 || len >= PATH_BYTES - 1) return EINVAL;
  return 0;
}

static napi_value result(napi_env env, int err) {
  napi_value v = NULL;
  napi_create_int32(env, err, &v);
  return v;
}

static napi_value do_umount(napi_env env, napi_callback_info info) {
  char path[PATH_BYTES];
  int err = path_arg(env, info, path);
  if (err == 0 && umount2(path, 0) != 0) err = errno;
  return result(env, err);
}

static napi_value do_loop_detach(napi_env env, napi_callback_info info) {
  char dev[PATH_BYTES];
  int err = path_arg(env, info, dev);
  if (err != 0) return result(env, err);
  int fd = open(dev, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return result(env, errno);
  if (ioctl(fd, LOOP_CLR_FD, 0) != 0) err = errno;
  close(fd);
  return result(env, err);
}

static void export_fn(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  if (napi_create_function(env, name, (size_t)-1, cb, NULL, &fn) == 0) napi_set_named_property(env, exports, name, fn);
}

__attribute__((visibility("default"))) int32_t node_api_module_get_api_version_v1(void) { return 1; }

__attribute__((visibility("default"))) napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  export_fn(env, exports, "umount", do_umount);
  export_fn(env, exports, "loopDetach", do_loop_detach);
  return exports;
}
