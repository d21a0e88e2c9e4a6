// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Typed access to a control request's args, with messages that name the offending key. */
#include <errno.h>
#include <stdio.h>

#include "control/control.h"

/* Returns the value, or NULL with 0 (absent, optional) or -EINVAL (absent, required) in *ret. */
static json_t *control_arg_get(json_t *args, const char *key, bool required, int *ret, char *err,
			       size_t errlen)
{
	json_t *val = json_object_get(args, key);

	*ret = 0;
	if (!val && required) {
		snprintf(err, errlen, "args.%s: missing", key);
		*ret = -EINVAL;
	}
	return val;
}

int control_arg_string(json_t *args, const char *key, bool required, const char **out, char *err,
		       size_t errlen)
{
	json_t *val;
	int ret;

	val = control_arg_get(args, key, required, &ret, err, errlen);
	if (!val)
		return ret;
	if (!json_is_string(val)) {
		snprintf(err, errlen, "args.%s: expected a string", key);
		return -EINVAL;
	}
	*out = json_string_value(val);
	return 0;
}

int control_arg_int(json_t *args, const char *key, bool required, long long min, long long max,
		    long long *out, char *err, size_t errlen)
{
	json_int_t num;
	json_t *val;
	int ret;

	val = control_arg_get(args, key, required, &ret, err, errlen);
	if (!val)
		return ret;
	if (!json_is_integer(val)) {
		snprintf(err, errlen, "args.%s: expected an integer", key);
		return -EINVAL;
	}
	num = json_integer_value(val);
	if (num < min || num > max) {
		snprintf(err, errlen, "args.%s: %lld is outside %lld..%lld", key, (long long)num,
			 min, max);
		return -EINVAL;
	}
	*out = num;
	return 0;
}

int control_arg_bool(json_t *args, const char *key, bool required, bool *out, char *err,
		     size_t errlen)
{
	json_t *val;
	int ret;

	val = control_arg_get(args, key, required, &ret, err, errlen);
	if (!val)
		return ret;
	if (!json_is_boolean(val)) {
		snprintf(err, errlen, "args.%s: expected true or false", key);
		return -EINVAL;
	}
	*out = json_is_true(val);
	return 0;
}
