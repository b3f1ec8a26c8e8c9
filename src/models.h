/* models.h -- the built-in device models (internal): each is defined in its own file
   src/model_NAME.c and listed once, in the registry of src/model.c. */
#ifndef VO2SNN_MODELS_H
#define VO2SNN_MODELS_H

#include "vo2snn/model.h"

extern const vs_model vs_model_vo2x;
extern const vs_model vs_model_zhang2024;
extern const vs_model vs_model_switch;

#endif
